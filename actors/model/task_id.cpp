// File: actors/model/task_id.cpp
#include "actors/model/task_id.hpp"

#include <chrono>
#include <random>

namespace taskmesh {
namespace {

// splitmix64 seeded per thread from the OS: fast, and good enough for the
// random tail (uniqueness, not secrecy).
struct id_random {
  std::uint64_t state;
  id_random() {
    std::random_device rd;
    state = (std::uint64_t{rd()} << 32) ^ rd() ^
            static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  std::uint64_t next() noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

constexpr char hex_digits[] = "0123456789abcdef";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_dash_position(std::size_t i) noexcept {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

} // namespace

task_id task_id::generate() {
  thread_local id_random rng;
  const auto ms = static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch())
      .count());
  const std::uint64_t r1 = rng.next();
  const std::uint64_t r2 = rng.next();
  task_id id;
  for (int i = 0; i < 6; ++i)
    id.bytes[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  for (int i = 0; i < 2; ++i)
    id.bytes[6 + i] = static_cast<std::uint8_t>(r1 >> (8 * i));
  for (int i = 0; i < 8; ++i)
    id.bytes[8 + i] = static_cast<std::uint8_t>(r2 >> (8 * i));
  id.bytes[6] = static_cast<std::uint8_t>((id.bytes[6] & 0x0F) | 0x70); // version 7
  id.bytes[8] = static_cast<std::uint8_t>((id.bytes[8] & 0x3F) | 0x80); // RFC variant
  return id;
}

std::optional<task_id> task_id::parse(std::string_view text) {
  if (text.size() != 36)
    return std::nullopt;
  task_id id;
  std::size_t out = 0;
  for (std::size_t i = 0; i < 36;) {
    if (is_dash_position(i)) {
      if (text[i] != '-')
        return std::nullopt;
      ++i;
      continue;
    }
    const int hi = hex_value(text[i]);
    const int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    id.bytes[out++] = static_cast<std::uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return id;
}

void task_id::write_to(char* out) const {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[pos++] = '-';
    out[pos++] = hex_digits[bytes[i] >> 4];
    out[pos++] = hex_digits[bytes[i] & 0x0F];
  }
}

std::string task_id::to_string() const {
  std::string s(36, '\0');
  write_to(s.data());
  return s;
}

std::uint64_t task_id::unix_ms() const noexcept {
  std::uint64_t ms = 0;
  for (int i = 0; i < 6; ++i)
    ms = ms << 8 | bytes[i];
  return ms;
}

} // namespace taskmesh
