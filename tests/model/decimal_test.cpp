// File: tests/model/decimal_test.cpp
// Integers as decimal text: the extremes of each width and sign, appended
// after what the string held.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "actors/model/decimal.hpp"

namespace taskmesh {
namespace {

TEST(Decimal, WritesTheExtremesOfEveryWidth) {
  EXPECT_EQ(decimal(0).view(), "0");
  EXPECT_EQ(decimal(std::numeric_limits<std::uint64_t>::max()).view(), "18446744073709551615");
  EXPECT_EQ(decimal(std::numeric_limits<std::int64_t>::min()).view(), "-9223372036854775808");
  EXPECT_EQ(decimal(std::numeric_limits<std::int64_t>::max()).view(), "9223372036854775807");
  EXPECT_EQ(decimal(std::uint8_t{255}).view(), "255");
  EXPECT_EQ(decimal(-1).view(), "-1");
}

TEST(Decimal, AppendsAfterWhatIsThere) {
  std::string out = "n=";
  append_decimal(out, 0);
  append_decimal(out, std::uint16_t{65535});
  append_decimal(out, std::int64_t{-42});
  EXPECT_EQ(out, "n=065535-42");
}

} // namespace
} // namespace taskmesh
