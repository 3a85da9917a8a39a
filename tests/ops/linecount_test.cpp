// File: tests/ops/linecount_test.cpp
#include <string>

#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

std::int64_t lines(std::string_view text) {
  return run_ok(linecount_op(), text).at("lines").as_int64();
}

TEST(LinecountOp, ExactResultText) {
  EXPECT_EQ(run(linecount_op(), "a\nb").value, R"({"lines":2})");
}

TEST(LinecountOp, EmptyTextHasNoLines) { EXPECT_EQ(lines(""), 0); }

TEST(LinecountOp, NewlineAloneIsOneLine) { EXPECT_EQ(lines("\n"), 1); }

TEST(LinecountOp, TrailingNewlineDoesNotStartALine) {
  EXPECT_EQ(lines("a"), 1);
  EXPECT_EQ(lines("a\n"), 1);
  EXPECT_EQ(lines("a\nb"), 2);
  EXPECT_EQ(lines("a\nb\n"), 2);
  EXPECT_EQ(lines("\n\n\n"), 3);
  EXPECT_EQ(lines("\n\nx"), 3);
}

TEST(LinecountOp, OnlyLineFeedCounts) {
  EXPECT_EQ(lines("a\rb\r"), 1);
  EXPECT_EQ(lines("a\r\nb\r\n"), 2);
  EXPECT_EQ(lines("   "), 1);
}

TEST(LinecountOp, AllNewlinesAroundBlockBoundaries) {
  // The count is summed in blocks of 255 bytes; a full block must not wrap.
  for (std::size_t n : {254u, 255u, 256u, 509u, 510u, 511u, 4096u})
    EXPECT_EQ(lines(std::string(n, '\n')), static_cast<std::int64_t>(n)) << n;
}

TEST(LinecountOp, LongText) {
  std::string text;
  for (int i = 0; i < 5000; ++i)
    text += "line \xC3\xA9\n";
  EXPECT_EQ(lines(text), 5000);
  text += "tail";
  EXPECT_EQ(lines(text), 5001);
}

} // namespace
} // namespace taskmesh::test
