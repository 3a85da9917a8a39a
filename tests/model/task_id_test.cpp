// File: tests/model/task_id_test.cpp
// task_id: the UUIDv7 layout, and random bits that an attacker who saw
// earlier ids cannot predict (ids are what a client needs to read a task).
#include <array>
#include <chrono>
#include <cstdint>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "actors/model/task_id.hpp"

namespace taskmesh {
namespace {

// --- the splitmix64 stream ids used to come from ---------------------------
// If ids came from it, one id gives away the generator's state: its output
// function is a bijection, so 62 visible bits of one output (4 guesses for
// the 2 bits the variant overwrites) recover the state and so the next id.

constexpr std::uint64_t gamma = 0x9E3779B97F4A7C15ull;

std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint64_t inverse_mod_2_64(std::uint64_t a) { // a odd; Newton iteration
  std::uint64_t x = a;
  for (int i = 0; i < 6; ++i)
    x *= 2 - a * x;
  return x;
}

std::uint64_t unxorshift(std::uint64_t y, int shift) {
  std::uint64_t x = y;
  for (int i = 0; i < 64 / shift + 1; ++i)
    x = y ^ (x >> shift);
  return x;
}

std::uint64_t unmix(std::uint64_t z) {
  z = unxorshift(z, 31);
  z *= inverse_mod_2_64(0x94D049BB133111EBull);
  z = unxorshift(z, 27);
  z *= inverse_mod_2_64(0xBF58476D1CE4E5B9ull);
  return unxorshift(z, 30);
}

std::uint64_t tail64(const task_id& id) { // bytes 8..15, little-endian as they were written
  std::uint64_t r = 0;
  for (int i = 0; i < 8; ++i)
    r |= std::uint64_t{id.bytes[8 + i]} << (8 * i);
  return r;
}

// The random bits of `next` as a splitmix64 stream continuing from `seen`
// would make them, for each guess of the hidden bits: true if one matches.
bool predicted_by_splitmix(const task_id& seen, const task_id& next) {
  const std::uint64_t visible = tail64(seen) & ~std::uint64_t{0xC0};
  for (std::uint64_t hidden = 0; hidden < 4; ++hidden) {
    const std::uint64_t state = unmix(visible | hidden << 6);
    const std::uint64_t r1 = mix(state + gamma);
    const std::uint64_t r2 = mix(state + 2 * gamma);
    if (((r2 ^ tail64(next)) & ~std::uint64_t{0xC0}) == 0 &&
        (r1 & 0xFF0F) == ((std::uint64_t{next.bytes[6]} & 0x0F) | std::uint64_t{next.bytes[7]} << 8))
      return true;
  }
  return false;
}

TEST(TaskIdPredictor, RecoversASplitmixStream) {
  // The predictor itself works: ids built the way the old generator built
  // them are predicted every time (so the next test can fail).
  std::uint64_t state = 0x0123456789ABCDEFull;
  auto old_style = [&state] {
    task_id id;
    const std::uint64_t r1 = mix(state += gamma);
    const std::uint64_t r2 = mix(state += gamma);
    for (int i = 0; i < 2; ++i)
      id.bytes[6 + i] = static_cast<std::uint8_t>(r1 >> (8 * i));
    for (int i = 0; i < 8; ++i)
      id.bytes[8 + i] = static_cast<std::uint8_t>(r2 >> (8 * i));
    id.bytes[6] = static_cast<std::uint8_t>((id.bytes[6] & 0x0F) | 0x70);
    id.bytes[8] = static_cast<std::uint8_t>((id.bytes[8] & 0x3F) | 0x80);
    return id;
  };
  task_id prev = old_style();
  for (int i = 0; i < 100; ++i) {
    const task_id next = old_style();
    EXPECT_TRUE(predicted_by_splitmix(prev, next));
    prev = next;
  }
}

TEST(TaskId, NextIdIsNotPredictableFromThePreviousOne) {
  task_id prev = task_id::generate();
  int predicted = 0;
  for (int i = 0; i < 10'000; ++i) {
    const task_id next = task_id::generate();
    predicted += predicted_by_splitmix(prev, next) ? 1 : 0;
    prev = next;
  }
  EXPECT_EQ(predicted, 0);
}

TEST(TaskId, KeepsTheUuidV7Layout) {
  const auto before = static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch()).count());
  const task_id id = task_id::generate();
  const auto after = static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch()).count());
  EXPECT_EQ(id.bytes[6] >> 4, 7);      // version
  EXPECT_EQ(id.bytes[8] >> 6, 0b10);   // RFC 9562 variant
  EXPECT_GE(id.unix_ms(), before);
  EXPECT_LE(id.unix_ms(), after);
  const auto text = id.to_string();
  ASSERT_EQ(text.size(), 36u);
  EXPECT_EQ(text[14], '7');
  EXPECT_EQ(task_id::parse(text), id);
}

TEST(TaskId, WritesTheCanonicalText) {
  task_id id;
  for (std::size_t i = 0; i < 16; ++i)
    id.bytes[i] = static_cast<std::uint8_t>(i * 0x11 ^ 0xA5);
  EXPECT_EQ(id.to_string(), "a5b48796-e1f0-c3d2-2d3c-0f1e69784b5a");
  for (auto& b : id.bytes)
    b = 0xFF;
  EXPECT_EQ(id.to_string(), "ffffffff-ffff-ffff-ffff-ffffffffffff");
  EXPECT_EQ(task_id::parse(id.to_string()), id);
}

// Only the 8-4-4-4-12 hex text is an id (either case of digit); a bad
// character anywhere, a dash out of place or a wrong length is not.
TEST(TaskId, ParsesTheCanonicalTextOnly) {
  const std::string good = "0190f5a2-7c3e-7abc-8def-0123456789ab";
  ASSERT_TRUE(task_id::parse(good));
  EXPECT_EQ(task_id::parse(good)->to_string(), good);
  EXPECT_EQ(task_id::parse("0190F5A2-7C3E-7ABC-8DEF-0123456789AB"), task_id::parse(good));
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (const char c : {'g', 'G', '-', ' ', '\0', '/', ':', '@', '`', '\xff'}) {
      std::string bad = good;
      if (bad[i] == c)
        continue;
      bad[i] = c;
      EXPECT_FALSE(task_id::parse(bad)) << "position " << i << " as " << int(c);
    }
  }
  for (const std::size_t dash : {8u, 13u, 18u, 23u}) {
    std::string moved = good;
    std::swap(moved[dash], moved[dash + 1]); // the dash one place later
    EXPECT_FALSE(task_id::parse(moved)) << "dash at " << dash + 1;
  }
  EXPECT_FALSE(task_id::parse(good.substr(1)));
  EXPECT_FALSE(task_id::parse(good + "0"));
  EXPECT_FALSE(task_id::parse(""));
  EXPECT_FALSE(task_id::parse("0190f5a27c3e7abc8def0123456789ab")); // no dashes
}

// Every one of the 74 random bits takes both values about equally often,
// across more ids than one block of the generator holds.
TEST(TaskId, EveryRandomBitVaries) {
  constexpr int n = 4096;
  std::array<int, 128> ones{};
  std::set<task_id> seen;
  for (int i = 0; i < n; ++i) {
    const task_id id = task_id::generate();
    seen.insert(id);
    for (int bit = 0; bit < 128; ++bit)
      ones[bit] += (id.bytes[bit / 8] >> (7 - bit % 8)) & 1;
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(n));
  for (int bit = 52; bit < 128; ++bit) {
    if (bit == 64 || bit == 65) // variant
      continue;
    EXPECT_GT(ones[bit], n * 4 / 10) << "bit " << bit;
    EXPECT_LT(ones[bit], n * 6 / 10) << "bit " << bit;
  }
}

TEST(TaskId, ThreadsDrawDifferentIds) {
  std::vector<task_id> a(1000), b(1000);
  std::thread ta([&a] { for (auto& id : a) id = task_id::generate(); });
  std::thread tb([&b] { for (auto& id : b) id = task_id::generate(); });
  ta.join();
  tb.join();
  std::set<task_id> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 2000u);
}

} // namespace
} // namespace taskmesh
