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
  ASSERT_EQ(cmd.size(), 3u);
  EXPECT_EQ(cmd[2].data(), big.data()); // the same bytes, not a copy
  EXPECT_EQ(cmd[2].size(), big.size());
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
  EXPECT_NE(cmd[1].data(), nullptr);
  EXPECT_EQ(cmd[1].size(), 0u);
  EXPECT_EQ(cmd[2], binary);
  std::string resp;
  cmd.append_resp(resp);
  EXPECT_EQ(resp, std::string("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\na\0b\r\n\r\n", 30));
}

TEST(ValkeyCommand, RespOfSeveralCommandsConcatenates) {
  command a("PING");
  command b("INCRBY");
  b.arg("counter").arg(std::int64_t{-12345678901});
  std::string resp;
  a.append_resp(resp);
  b.append_resp(resp);
  EXPECT_EQ(resp, "*1\r\n$4\r\nPING\r\n"
                  "*3\r\n$6\r\nINCRBY\r\n$7\r\ncounter\r\n$12\r\n-12345678901\r\n");
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
