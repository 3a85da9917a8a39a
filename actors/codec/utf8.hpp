// File: actors/codec/utf8.hpp
// UTF-8 checks private to the codec: naming bad bytes in parse errors, and
// keeping error texts valid JSON on the way out.
#pragma once

#include <cstddef>
#include <string_view>

namespace taskmesh::utf8 {

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 if
// none starts there: bad lead byte, truncated, overlong, surrogate, or above
// U+10FFFF (RFC 3629).
inline std::size_t sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0; // overlong
    if (c == 0xED && b(i + 1) > 0x9F) return 0; // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0; // overlong
    if (c == 0xF4 && b(i + 1) > 0x8F) return 0; // above U+10FFFF
    return 4;
  }
  return 0;
}

inline bool valid(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

} // namespace taskmesh::utf8
