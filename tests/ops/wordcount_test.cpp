// File: tests/ops/wordcount_test.cpp
#include <string>

#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

std::int64_t words(std::string_view text) {
  return run_ok(wordcount_op(), text).at("words").as_int64();
}

TEST(WordcountOp, ExactResultText) {
  EXPECT_EQ(run(wordcount_op(), "two words").value, R"({"words":2})");
}

TEST(WordcountOp, EmptyAndWhitespaceOnly) {
  EXPECT_EQ(words(""), 0);
  EXPECT_EQ(words(" "), 0);
  EXPECT_EQ(words(" \t\n\v\f\r "), 0);
}

TEST(WordcountOp, EveryAsciiWhitespaceSeparates) {
  EXPECT_EQ(words("a b\tc\nd\ve\ff\rg"), 7);
  EXPECT_EQ(words("a  \t\n  b"), 2);
}

TEST(WordcountOp, LeadingAndTrailingWhitespace) {
  EXPECT_EQ(words("word"), 1);
  EXPECT_EQ(words("  word"), 1);
  EXPECT_EQ(words("word  "), 1);
  EXPECT_EQ(words("\none two\n"), 2);
}

TEST(WordcountOp, OtherBytesAreWordCharacters) {
  // Punctuation, NUL and UTF-8 multibyte bytes (including U+00A0 NBSP and
  // U+3000 ideographic space) are not ASCII whitespace.
  EXPECT_EQ(words("hello, world!"), 2);
  EXPECT_EQ(words(std::string_view("a\0b c", 5)), 2);
  EXPECT_EQ(words("h\xC3\xA9llo w\xC3\xB6rld"), 2);
  EXPECT_EQ(words("a\xC2\xA0" "b"), 1);
  EXPECT_EQ(words("\xE3\x80\x80"), 1);
}

TEST(WordcountOp, OneByteWordsAroundBlockBoundaries) {
  // The count is summed in blocks of 255 bytes: "a a a ..." starts a word
  // on every other byte, and no word may be lost or counted twice where
  // blocks meet, whatever the length.
  for (std::size_t n = 250; n < 520; ++n) {
    std::string text;
    for (std::size_t i = 0; i < n; ++i)
      text += i % 2 == 0 ? 'a' : ' ';
    EXPECT_EQ(words(text), static_cast<std::int64_t>((n + 1) / 2)) << n;
  }
  EXPECT_EQ(words(std::string(1000, 'x')), 1);
}

TEST(WordcountOp, LongTextCrossesVectorWidths) {
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text += (i % 3 == 0) ? "ab  " : "c\t";
  EXPECT_EQ(words(text), 1000);
}

} // namespace
} // namespace taskmesh::test
