// File: actors/model/task_id.cpp
#include "actors/model/task_id.hpp"

#include <chrono>
#include <cstring>
#include <stdexcept>

#include <openssl/rand.h>

namespace taskmesh {
namespace {

// The random tail comes from OpenSSL's CSPRNG (a per-thread AES-256-CTR
// DRBG seeded from the OS): ids are capabilities of a sort (whoever knows
// one reads the task), so one id must not predict the next, as a plain PRNG
// stream would. Drawn in blocks, so the hot path pays a copy, not a call
// into OpenSSL, for all but one id in `ids_per_block`.
class id_random {
public:
  static constexpr std::size_t bytes_per_id = 10; // 74 random bits + 6 fixed
  static constexpr std::size_t ids_per_block = 256;

  const std::uint8_t* next() {
    if (used_ == block_.size()) {
      if (RAND_bytes(block_.data(), static_cast<int>(block_.size())) != 1)
        throw std::runtime_error("task_id: the OS random generator failed");
      used_ = 0;
    }
    const std::uint8_t* out = block_.data() + used_;
    used_ += bytes_per_id;
    return out;
  }

private:
  std::array<std::uint8_t, bytes_per_id * ids_per_block> block_{};
  std::size_t used_ = block_.size();
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
  task_id id;
  for (int i = 0; i < 6; ++i)
    id.bytes[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  std::memcpy(id.bytes.data() + 6, rng.next(), id_random::bytes_per_id);
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
