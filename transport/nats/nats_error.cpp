// File: transport/nats/nats_error.cpp
// natsStatus -> std::error_code, and the capture of nats.c's last-error text.
#include "transport/nats/nats_error.hpp"

namespace taskmesh::nats {
namespace {

class category final : public std::error_category {
public:
  const char* name() const noexcept override { return "nats"; }
  std::string message(int value) const override {
    return natsStatus_GetText(static_cast<natsStatus>(value));
  }
};

} // namespace

const std::error_category& nats_category() noexcept {
  static const category instance;
  return instance;
}

std::string to_string(const error& e) {
  if (!e)
    return "ok";
  std::string out = std::string(e.code.category().name()) + ": " + e.code.message();
  if (e.js_code != 0)
    out += " (js " + std::to_string(e.js_code) + ")";
  if (!e.text.empty() && e.text != e.code.message())
    out += ": " + e.text;
  return out;
}

error from_status(natsStatus s, jsErrCode js) {
  if (s == NATS_OK)
    return {};
  error e;
  e.code = make_error_code(s);
  e.js_code = static_cast<int>(js);
  const char* text = nats_GetLastError(nullptr);
  if (text && *text)
    e.text = text;
  return e;
}

bool stream_full(const error& e) {
  return e.js_code == JSStreamStoreFailedErr &&
         (e.text.find("maximum messages exceeded") != std::string::npos ||
          e.text.find("maximum bytes exceeded") != std::string::npos);
}

error make_error(natsStatus s, std::string text) {
  return error{make_error_code(s), 0, std::move(text)};
}

} // namespace taskmesh::nats
