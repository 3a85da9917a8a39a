// File: actors/model/task_id.hpp
// Task ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random
// bits from a CSPRNG. Time-ordered, unique across processes without
// coordination, and not predictable from ids seen before.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace taskmesh {

struct task_id {
  std::array<std::uint8_t, 16> bytes{};

  // A fresh UUIDv7; the random bits come from a per-thread CSPRNG block
  // (no locks, no shared state). Throws only if the OS has no randomness.
  static task_id generate();
  // Accepts the canonical 36-character form, either case.
  static std::optional<task_id> parse(std::string_view text);

  std::string to_string() const;          // canonical lower-case form
  void write_to(char* out36) const;       // same, without allocating
  std::uint64_t unix_ms() const noexcept; // the embedded timestamp

  // Two 8-byte compares: the defaulted == called memcmp out of line, and id
  // comparison is the inner loop of every record lookup.
  friend bool operator==(const task_id& a, const task_id& b) noexcept {
    std::uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.bytes.data(), 8);
    std::memcpy(&a1, a.bytes.data() + 8, 8);
    std::memcpy(&b0, b.bytes.data(), 8);
    std::memcpy(&b1, b.bytes.data() + 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  friend auto operator<=>(const task_id&, const task_id&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_id& x) {
  return f(x.bytes);
}

} // namespace taskmesh

template <>
struct std::hash<taskmesh::task_id> {
  std::size_t operator()(const taskmesh::task_id& id) const noexcept {
    // The tail is random: fold it, no need to hash again.
    std::uint64_t a, b;
    std::memcpy(&a, id.bytes.data(), 8);
    std::memcpy(&b, id.bytes.data() + 8, 8);
    return static_cast<std::size_t>(b ^ (a * 0x9E3779B97F4A7C15ull));
  }
};
