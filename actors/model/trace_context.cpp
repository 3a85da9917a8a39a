// File: actors/model/trace_context.cpp
#include "actors/model/trace_context.hpp"

#include "actors/model/task_id.hpp"

namespace taskmesh {
namespace {

bool is_lower_hex(std::string_view s) noexcept {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

bool all_zeros(std::string_view s) noexcept {
  return s.find_first_not_of('0') == std::string_view::npos;
}

} // namespace

bool is_valid_traceparent(std::string_view v) noexcept {
  if (v.size() != 55 || v[2] != '-' || v[35] != '-' || v[52] != '-')
    return false;
  const auto version = v.substr(0, 2), trace = v.substr(3, 32), parent = v.substr(36, 16),
             flags = v.substr(53, 2);
  return is_lower_hex(version) && version != "ff" && is_lower_hex(trace) && !all_zeros(trace) &&
         is_lower_hex(parent) && !all_zeros(parent) && is_lower_hex(flags);
}

std::string new_traceparent() {
  // A UUIDv7's random tail is plenty of entropy for trace and span ids.
  // "00-" + 32 hex trace id + "-" + 16 hex span id + "-01": written into a
  // string sized once (this runs for every request without a traceparent).
  constexpr char hex[] = "0123456789abcdef";
  const auto a = task_id::generate(), b = task_id::generate();
  std::string out(55, '-');
  char* p = out.data();
  *p++ = '0';
  *p++ = '0';
  ++p;
  for (auto byte : a.bytes) {
    *p++ = hex[byte >> 4];
    *p++ = hex[byte & 0xF];
  }
  ++p;
  for (std::size_t i = 8; i < 16; ++i) {
    *p++ = hex[b.bytes[i] >> 4];
    *p++ = hex[b.bytes[i] & 0xF];
  }
  ++p;
  *p++ = '0';
  *p = '1';
  return out;
}

} // namespace taskmesh
