// File: transport/nats/nats_error.hpp
// The one place where nats.c status codes become C++ errors. `error` carries
// the natsStatus as a std::error_code in the "nats" category, the JetStream
// API error code when the server sent one (e.g. 10058 "stream name already
// in use"), and nats.c's thread-local last-error text captured at the moment
// of the failure (it is overwritten by the next failing call on the thread).
// `result<T>` is a value or an error (std::expected is C++23).
// The actor layer turns `error` into caf::error; this folder knows no CAF.
#pragma once

#include <nats/nats.h>

#include <cassert>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace taskmesh::nats {

// Category of the natsStatus values (name "nats"); message() is
// natsStatus_GetText.
const std::error_category& nats_category() noexcept;

inline std::error_code make_error_code(natsStatus s) noexcept {
  return {static_cast<int>(s), nats_category()};
}

// Empty (false) on success, like std::error_code.
struct error {
  std::error_code code;
  int js_code = 0;   // jsErrCode from the server's API reply, 0 when none
  std::string text;  // nats.c's last-error text, or our own detail

  explicit operator bool() const noexcept { return static_cast<bool>(code); }
  bool is(natsStatus s) const noexcept { return code == make_error_code(s); }
};

// A PubAck error saying the stream is at its max_msgs or max_bytes (with
// discard new): the server refused to store, and will again until messages
// are acked. nats-server answers JSStreamStoreFailedErr (10077) for every
// store failure, so the reason is told by its text.
bool stream_full(const error& e);

// "nats: Timeout (js 0): <text>", for logs and test failures.
std::string to_string(const error& e);

// THE conversion: NATS_OK -> empty error; anything else -> error with the
// library's last-error text for this thread. Call it right after the
// failing nats.c call, on the same thread.
error from_status(natsStatus s, jsErrCode js = static_cast<jsErrCode>(0));

// An error we detect ourselves (bad argument, not connected, ...).
error make_error(natsStatus s, std::string text);

// For the JetStream calls that report the server's error code through a
// jsErrCode* argument: `call(&code)` runs first, then both are converted.
// (from_status(js_X(..., &code), code) would read `code` too early: the
// order in which function arguments are evaluated is unspecified.)
template <class Call>
error js_call(Call&& call) {
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = call(&code);
  return from_status(s, code);
}

template <class T>
class result {
public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  result(nats::error e) : v_(std::in_place_index<1>, std::move(e)) { assert(err()); }

  explicit operator bool() const noexcept { return v_.index() == 0; }
  bool has_value() const noexcept { return v_.index() == 0; }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const nats::error& err() const { return std::get<1>(v_); }

private:
  std::variant<T, nats::error> v_;
};

} // namespace taskmesh::nats
