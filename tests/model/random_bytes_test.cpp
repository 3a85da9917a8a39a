// File: tests/model/random_bytes_test.cpp
// fill_random (actors/model/random_bytes.hpp): draws never repeat, also
// across the refill of the per-thread block, and a request beyond one
// draw's bound is refused rather than read past the block.
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <stdexcept>

#include "actors/model/random_bytes.hpp"

namespace taskmesh {
namespace {

TEST(RandomBytes, DrawsDoNotRepeatAcrossBlockRefills) {
  // 24-byte draws (a trace and span id) do not divide the 2,560-byte block:
  // 1,000 of them cross nine refills, each with a remainder left unused.
  std::set<std::array<std::uint8_t, 24>> seen;
  for (int i = 0; i < 1000; ++i) {
    std::array<std::uint8_t, 24> draw{};
    fill_random(draw.data(), draw.size());
    seen.insert(draw);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomBytes, MoreThanOneDrawsBoundIsRefused) {
  std::array<std::uint8_t, 257> big{};
  EXPECT_THROW(fill_random(big.data(), big.size()), std::invalid_argument);
  EXPECT_NO_THROW(fill_random(big.data(), 256));
}

} // namespace
} // namespace taskmesh
