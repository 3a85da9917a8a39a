// File: tests/ops/extract_test.cpp
#include <string>
#include <vector>

#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

struct extracted {
  std::vector<std::string> matches;
  std::int64_t count;
};

extracted extract(std::string_view text, std::string_view params_json) {
  EXPECT_FALSE(validate(extract_op(), params_json)) << params_json;
  const auto v = run_ok(extract_op(), text, params_json);
  extracted r{{}, v.at("count").as_int64()};
  for (const auto& m : v.at("matches").as_array())
    r.matches.emplace_back(m.as_string());
  return r;
}

using strings = std::vector<std::string>;

TEST(ExtractOp, ExactResultText) {
  EXPECT_EQ(run(extract_op(), "a1b22", R"({"pattern":"[0-9]+"})").value,
            R"({"matches":["1","22"],"count":2})");
  EXPECT_EQ(run(extract_op(), "abc", R"({"pattern":"[0-9]+"})").value,
            R"({"matches":[],"count":0})");
}

TEST(ExtractOp, WholeMatchesInOrder) {
  const auto r = extract("mail a@x.io, b@y.org; c@z", R"({"pattern":"\\w+@\\w+\\.\\w+"})");
  EXPECT_EQ(r.matches, (strings{"a@x.io", "b@y.org"}));
  EXPECT_EQ(r.count, 2);
}

TEST(ExtractOp, CaptureGroupsDoNotChangeTheMatch) {
  const auto r = extract("k1=v1 k2=v2", R"j({"pattern":"(\\w+)=(\\w+)"})j");
  EXPECT_EQ(r.matches, (strings{"k1=v1", "k2=v2"}));
}

TEST(ExtractOp, EmptyText) {
  auto r = extract("", R"({"pattern":"a"})");
  EXPECT_TRUE(r.matches.empty());
  EXPECT_EQ(r.count, 0);
  r = extract("", R"({"pattern":"a*"})");
  EXPECT_EQ(r.matches, strings{""});
  EXPECT_EQ(r.count, 1);
}

TEST(ExtractOp, EmptyMatchesAdvance) {
  // Same answers as Python's re.findall.
  auto r = extract("baaac", R"({"pattern":"a*"})");
  EXPECT_EQ(r.matches, (strings{"", "aaa", "", ""}));
  EXPECT_EQ(r.count, 4);
  r = extract("abc", R"({"pattern":""})");
  EXPECT_EQ(r.matches, (strings{"", "", "", ""}));
  r = extract("ab", R"({"pattern":"\\b"})");
  EXPECT_EQ(r.count, 2);
}

TEST(ExtractOp, EmptyMatchesStepOverWholeUtf8Characters) {
  // Four characters (é and € are multibyte), so five empty matches, and
  // every match is valid UTF-8 (ok_json's parse would fail otherwise).
  const auto r = extract("\xC3\xA9x\xE2\x82\xAC\xF0\x9F\x98\x80", R"({"pattern":"x*"})");
  EXPECT_EQ(r.matches, (strings{"", "x", "", "", ""}));
}

TEST(ExtractOp, Utf8AwarePatterns) {
  const auto r = extract("h\xC3\xA9llo w\xC3\xB6rld", R"({"pattern":"\\pL+"})");
  EXPECT_EQ(r.matches, (strings{"h\xC3\xA9llo", "w\xC3\xB6rld"}));
  const auto dots = extract("\xC3\xA9\xC3\xB6", R"({"pattern":"."})");
  EXPECT_EQ(dots.matches, (strings{"\xC3\xA9", "\xC3\xB6"}));
}

TEST(ExtractOp, AnchorsSeeTheWholeText) {
  EXPECT_EQ(extract("aaa", R"({"pattern":"^a"})").matches, strings{"a"});
  EXPECT_EQ(extract("a\na", R"({"pattern":"(?m)^a"})").matches, (strings{"a", "a"}));
  EXPECT_EQ(extract("ab ab", R"({"pattern":"\\bb"})").count, 0);
}

TEST(ExtractOp, MatchesWithControlCharactersAreEscaped) {
  const auto out = run(extract_op(), "x\"\n\"y", R"({"pattern":"\"\\s\""})");
  EXPECT_EQ(out.value, R"({"matches":["\"\n\""],"count":1})");
}

TEST(ExtractOp, MaxMatchesLimits) {
  auto r = extract("1 2 3 4 5", R"({"pattern":"\\d","max_matches":3})");
  EXPECT_EQ(r.matches, (strings{"1", "2", "3"}));
  EXPECT_EQ(r.count, 3);
  r = extract("1 2", R"({"pattern":"\\d","max_matches":1})");
  EXPECT_EQ(r.matches, strings{"1"});
  r = extract("1 2", R"({"pattern":"\\d","max_matches":100000})");
  EXPECT_EQ(r.count, 2);
}

TEST(ExtractOp, DefaultMaxMatchesIs1000) {
  const std::string text(1500, 'x');
  EXPECT_EQ(extract(text, R"({"pattern":"x"})").count, 1000);
  EXPECT_EQ(extract(text, R"({"pattern":"x","max_matches":2000})").count, 1500);
}

TEST(ExtractOp, InvalidPatternRejectedAtValidateWithRe2Message) {
  auto e = validate(extract_op(), R"({"pattern":"(abc"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "pattern");
  EXPECT_NE(e->message.find("missing )"), std::string::npos) << e->message;
  e = validate(extract_op(), R"({"pattern":"a**"})");
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("bad repetition operator"), std::string::npos) << e->message;
  // Perl features RE2 does not have.
  e = validate(extract_op(), R"({"pattern":"(a)\\1"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "pattern");
  e = validate(extract_op(), R"j({"pattern":"a(?=b)"})j");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "pattern");
}

TEST(ExtractOp, InvalidPatternAtRunFailsPermanently) {
  EXPECT_EQ(run(extract_op(), "abc", R"({"pattern":"(abc"})").outcome,
            op_outcome::kind::permanent_failure);
  EXPECT_EQ(run(extract_op(), "abc", "{}").outcome, op_outcome::kind::permanent_failure);
}

TEST(ExtractOp, AnyByteEscapeRejected) {
  auto e = validate(extract_op(), R"({"pattern":"a\\C"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "pattern");
  EXPECT_NE(e->message.find("\\C"), std::string::npos);
  // An escaped backslash followed by C is a literal, and fine.
  EXPECT_EQ(extract("a\\C", R"({"pattern":"\\\\C"})").matches, strings{"\\C"});
  EXPECT_EQ(run(extract_op(), "\xC3\xA9", R"({"pattern":"\\C"})").outcome,
            op_outcome::kind::permanent_failure);
}

TEST(ExtractOp, ValidateParams) {
  auto e = validate(extract_op(), R"({"max_matches":5})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "pattern");
  EXPECT_EQ(e->message, "is required");
  e = validate(extract_op(), R"({"pattern":7})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "must be a string, got an integer");
  for (const char* bad : {"0", "-1", "100001", "18446744073709551615"}) {
    e = validate(extract_op(), std::string(R"({"pattern":"a","max_matches":)") + bad + "}");
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(e->field, "max_matches");
    EXPECT_EQ(e->message, "must be between 1 and 100000");
  }
  e = validate(extract_op(), R"({"pattern":"a","max_matches":"5"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "must be an integer, got a string");
  e = validate(extract_op(), R"({"pattern":"a","max_matches":2.5})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "must be an integer, got a floating-point number");
}

TEST(ExtractOp, ManyDistinctPatternsOutgrowTheCache) {
  // More patterns than the per-thread cache holds, then the first ones
  // again: evicted patterns must compile afresh and still match.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 100; ++i) {
      const std::string word = 'x' + std::to_string(i) + 'y';
      const std::string params = R"({"pattern":")" + word + R"("})";
      const std::string text = word + ' ' + word;
      EXPECT_EQ(extract(text, params).count, 2) << params;
    }
  }
  EXPECT_TRUE(validate(extract_op(), R"({"pattern":"(x"})"));
}

} // namespace
} // namespace taskmesh::test
