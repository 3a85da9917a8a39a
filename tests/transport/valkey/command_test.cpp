// File: tests/transport/valkey/command_test.cpp
// command: borrowed strings stay borrowed (argv points into the caller's
// memory), numbers are formatted, owned pieces survive copies and moves,
// set() swaps one argument.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "transport/valkey/command.hpp"

namespace taskmesh::valkey {
namespace {

TEST(ValkeyCommand, BorrowsStringsWithoutCopying) {
  const std::string big(100'000, 'x');
  command cmd("SET");
  cmd.arg("key").arg(big);
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  cmd.to_argv(argv, lens);
  ASSERT_EQ(argv.size(), 3u);
  EXPECT_EQ(argv[2], big.data()); // the same bytes, not a copy
  EXPECT_EQ(lens[2], big.size());
  EXPECT_EQ(cmd[0], "SET");
}

TEST(ValkeyCommand, FormatsNumbers) {
  command cmd("X");
  cmd.arg(std::int64_t{-42}).arg(std::uint8_t{7}).arg(std::numeric_limits<std::int64_t>::max());
  cmd.arg(std::size_t{0});
  EXPECT_EQ(cmd[1], "-42");
  EXPECT_EQ(cmd[2], "7");
  EXPECT_EQ(cmd[3], "9223372036854775807");
  EXPECT_EQ(cmd[4], "0");
}

TEST(ValkeyCommand, OwnedPiecesSurviveCopyAndMove) {
  command a("SET");
  {
    std::string temporary = "copied-key";
    a.copy(temporary);
  }
  a.arg(std::int64_t{1700000000000000});
  command b = a;
  command c = std::move(a);
  for (const command* cmd : {&b, &c}) {
    EXPECT_EQ((*cmd)[1], "copied-key");
    EXPECT_EQ((*cmd)[2], "1700000000000000");
  }
  std::vector<command> many;
  for (int i = 0; i < 100; ++i)
    many.push_back(b); // reallocation moves commands around
  EXPECT_EQ(many.front()[1], "copied-key");
}

TEST(ValkeyCommand, EmptyAndBinaryArguments) {
  const std::string binary("a\0b\r\n", 5);
  command cmd("SET");
  cmd.arg(std::string_view()).arg(binary);
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  cmd.to_argv(argv, lens);
  EXPECT_NE(argv[1], nullptr);
  EXPECT_EQ(lens[1], 0u);
  EXPECT_EQ(cmd[2], binary);
}

TEST(ValkeyCommand, SetReplacesOneArgument) {
  command cmd("EVALSHA");
  cmd.arg("0123").arg("0");
  cmd.set(0, "EVAL");
  cmd.set(1, "return 1");
  EXPECT_EQ(cmd[0], "EVAL");
  EXPECT_EQ(cmd[1], "return 1");
  EXPECT_EQ(cmd[2], "0");
  EXPECT_THROW(cmd.set(3, "x"), std::out_of_range);
}

} // namespace
} // namespace taskmesh::valkey
