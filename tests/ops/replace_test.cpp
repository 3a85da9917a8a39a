// File: tests/ops/replace_test.cpp
#include <string>

#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

struct replaced {
  std::string text;
  std::int64_t replacements;
};

replaced replace(std::string_view text, std::string_view find, std::string_view with) {
  boost::json::object params;
  params["find"] = find;
  params["replace"] = with;
  op_budget budget;
  const auto v = ok_json(replace_op().run(op_input{text, params, 1, budget}));
  return {std::string(v.at("text").as_string()), v.at("replacements").as_int64()};
}

TEST(ReplaceOp, ExactResultText) {
  EXPECT_EQ(run(replace_op(), "a-b-c", R"({"find":"-","replace":"+"})").value,
            R"({"text":"a+b+c","replacements":2})");
}

TEST(ReplaceOp, NoMatchKeepsText) {
  const auto r = replace("hello", "xyz", "abc");
  EXPECT_EQ(r.text, "hello");
  EXPECT_EQ(r.replacements, 0);
}

TEST(ReplaceOp, EmptyText) {
  const auto r = replace("", "a", "b");
  EXPECT_EQ(r.text, "");
  EXPECT_EQ(r.replacements, 0);
}

TEST(ReplaceOp, NonOverlappingLeftToRight) {
  auto r = replace("aaaa", "aa", "b");
  EXPECT_EQ(r.text, "bb");
  EXPECT_EQ(r.replacements, 2);
  r = replace("aaa", "aa", "b");
  EXPECT_EQ(r.text, "ba");
  EXPECT_EQ(r.replacements, 1);
  r = replace("abababa", "aba", "X");
  EXPECT_EQ(r.text, "XbX");
  EXPECT_EQ(r.replacements, 2);
}

TEST(ReplaceOp, EmptyReplacementDeletes) {
  const auto r = replace("a, b, c", ", ", "");
  EXPECT_EQ(r.text, "abc");
  EXPECT_EQ(r.replacements, 2);
}

TEST(ReplaceOp, ReplacementIsNotRescanned) {
  const auto r = replace("aXa", "a", "aa");
  EXPECT_EQ(r.text, "aaXaa");
  EXPECT_EQ(r.replacements, 2);
}

TEST(ReplaceOp, WholeTextAndEdges) {
  auto r = replace("abc", "abc", "");
  EXPECT_EQ(r.text, "");
  EXPECT_EQ(r.replacements, 1);
  r = replace("xab", "x", "yy");
  EXPECT_EQ(r.text, "yyab");
  r = replace("abx", "x", "yy");
  EXPECT_EQ(r.text, "abyy");
}

TEST(ReplaceOp, Utf8AndControlCharacters) {
  auto r = replace("caf\xC3\xA9 caf\xC3\xA9", "\xC3\xA9", "e");
  EXPECT_EQ(r.text, "cafe cafe");
  EXPECT_EQ(r.replacements, 2);
  r = replace("a b", " ", "\n\"\x01");
  EXPECT_EQ(r.text, "a\n\"\x01" "b");
  EXPECT_EQ(run(replace_op(), "a b", R"({"find":" ","replace":"\t"})").value,
            R"({"text":"a\tb","replacements":1})");
}

TEST(ReplaceOp, ManyReplacementsInLongText) {
  std::string text;
  for (int i = 0; i < 10'000; ++i)
    text += "ab";
  const auto r = replace(text, "b", "");
  EXPECT_EQ(r.text, std::string(10'000, 'a'));
  EXPECT_EQ(r.replacements, 10'000);
}

TEST(ReplaceOp, ValidateRequiresBothStrings) {
  EXPECT_FALSE(validate(replace_op(), R"({"find":"a","replace":""})"));
  auto e = validate(replace_op(), R"({"replace":"x"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "find");
  EXPECT_EQ(e->message, "is required");
  e = validate(replace_op(), R"({"find":"x"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "replace");
  EXPECT_EQ(e->message, "is required");
}

TEST(ReplaceOp, ValidateRejectsEmptyFindAndWrongTypes) {
  auto e = validate(replace_op(), R"({"find":"","replace":"x"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "find");
  EXPECT_EQ(e->message, "must not be empty");
  e = validate(replace_op(), R"({"find":1,"replace":"x"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "find");
  EXPECT_EQ(e->message, "must be a string, got an integer");
  e = validate(replace_op(), R"({"find":"a","replace":null})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "replace");
  EXPECT_EQ(e->message, "must be a string, got null");
  e = validate(replace_op(), R"({"find":["a"],"replace":"b"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "must be a string, got an array");
}

TEST(ReplaceOp, RunWithBadParamsFailsPermanently) {
  EXPECT_EQ(run(replace_op(), "abc", R"({"find":"","replace":"x"})").outcome,
            op_outcome::kind::permanent_failure);
  EXPECT_EQ(run(replace_op(), "abc", R"({"find":"a"})").outcome,
            op_outcome::kind::permanent_failure);
}

} // namespace
} // namespace taskmesh::test
