// File: actors/ops/op_support.cpp
#include "actors/ops/op_support.hpp"

#include <algorithm>
#include <array>

#include <boost/json/serializer.hpp>
#include <boost/json/string.hpp>

namespace taskmesh::ops {

params_error unknown_param(std::string_view field) {
  return {std::string(field), "unknown parameter"};
}

params_error param_error(std::string_view field, std::string_view message) {
  return {std::string(field), std::string(message)};
}

params_error wrong_type(std::string_view field, std::string_view expected,
                        const boost::json::value& got) {
  std::string_view kind;
  switch (got.kind()) {
    case boost::json::kind::null: kind = "null"; break;
    case boost::json::kind::bool_: kind = "a boolean"; break;
    case boost::json::kind::string: kind = "a string"; break;
    case boost::json::kind::array: kind = "an array"; break;
    case boost::json::kind::object: kind = "an object"; break;
    case boost::json::kind::double_: kind = "a floating-point number"; break;
    case boost::json::kind::int64:
    case boost::json::kind::uint64: kind = "an integer"; break;
  }
  std::string message = "must be ";
  message.append(expected).append(", got ").append(kind);
  return {std::string(field), std::move(message)};
}

std::optional<params_error> no_params(const boost::json::object& params) {
  if (params.empty())
    return std::nullopt;
  return unknown_param(params.begin()->key());
}

std::optional<std::int64_t> as_integer(const boost::json::value& v) noexcept {
  if (const auto* i = v.if_int64())
    return *i;
  // Every bound we check is far below INT64_MAX, so clamping the uint64
  // values above it keeps the callers' range checks simple and correct.
  if (const auto* u = v.if_uint64())
    return *u > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(*u);
  return std::nullopt;
}

const boost::json::string* string_param(const boost::json::object& params,
                                        std::string_view key) noexcept {
  const auto* v = params.if_contains(key);
  return v ? v->if_string() : nullptr;
}

void append_json_string(std::string& out, std::string_view s) {
  boost::json::serializer sr;
  sr.reset(boost::json::string_view(s.data(), s.size()));
  // Most strings need no escapes, so the first read usually finishes; text
  // full of control characters grows by at most 6x over a few more reads.
  const std::size_t chunk = s.size() + 16;
  while (!sr.done()) {
    const std::size_t pos = out.size();
    out.resize(pos + chunk);
    out.resize(pos + sr.read(out.data() + pos, chunk).size());
  }
}

namespace {
// Escaped length of each byte, as Boost.JSON's serializer writes it: the
// two-character escapes, \u00XX for the other control characters, and
// every other byte (UTF-8 included) as it is.
constexpr std::array<std::uint8_t, 256> escaped_sizes = [] {
  std::array<std::uint8_t, 256> t{};
  for (std::size_t c = 0; c < 256; ++c)
    t[c] = 1;
  for (std::size_t c = 0; c < 0x20; ++c)
    t[c] = 6;
  for (unsigned char c : {'\b', '\f', '\n', '\r', '\t', '"', '\\'})
    t[c] = 2;
  return t;
}();
} // namespace

std::size_t json_string_size(std::string_view s) noexcept {
  std::size_t n = 2;
  for (unsigned char c : s)
    n += escaped_sizes[c];
  return n;
}

std::size_t uint_size(std::uint64_t n) noexcept {
  std::size_t digits = 1;
  for (; n >= 10; n /= 10)
    ++digits;
  return digits;
}

bool text_result_fits(std::string_view text, const op_budget& budget) noexcept {
  constexpr std::size_t frame = 9; // {"text":}
  if (text.size() <= (budget.max_result_bytes() - std::min<std::size_t>(budget.max_result_bytes(), frame + 2)) / 6)
    return true;
  return budget.fits(frame + json_string_size(text));
}

std::string text_result(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 11);
  out += R"({"text":)";
  append_json_string(out, text);
  out += '}';
  return out;
}

namespace {
thread_local std::string scratch;
constexpr std::size_t scratch_keep = 1 << 20;
} // namespace

std::string& scratch_buffer() noexcept { return scratch; }

void trim_scratch_buffer() noexcept {
  if (scratch.capacity() > scratch_keep)
    std::string().swap(scratch);
}

} // namespace taskmesh::ops
