// File: actors/model/trace_context.cpp
#include "actors/model/trace_context.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "actors/model/random_bytes.hpp"

namespace taskmesh {
namespace {

bool is_lower_hex(std::string_view s) noexcept {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

bool is_zero(std::uint8_t byte) noexcept { return byte == 0; }

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
  // "00-" + 32 hex trace id + "-" + 16 hex span id + "-01", both ids all
  // random (W3C Trace Context: ids a tracing system can sample on), written
  // into a string sized once: this runs for every request that brings none.
  std::array<std::uint8_t, 24> random; // trace id, then span id
  fill_random(random.data(), random.size());
  // All zeros is invalid for either id; one chance in 2^64 for the span.
  random[15] |= std::uint8_t{std::all_of(random.begin(), random.begin() + 16, is_zero)};
  random[23] |= std::uint8_t{std::all_of(random.begin() + 16, random.end(), is_zero)};
  constexpr char hex[] = "0123456789abcdef";
  std::string out(55, '-');
  char* p = out.data();
  *p++ = '0';
  *p++ = '0';
  for (std::size_t i = 0; i < random.size(); ++i) {
    if (i == 0 || i == 16)
      ++p; // the '-' before each id
    *p++ = hex[random[i] >> 4];
    *p++ = hex[random[i] & 0xF];
  }
  ++p;
  *p++ = '0';
  *p = '1';
  return out;
}

} // namespace taskmesh
