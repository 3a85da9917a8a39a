// File: tests/ops/case_test.cpp
// uppercase and lowercase: ASCII letters only, every other byte untouched.
#include <string>

#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

std::string upper(std::string_view text) {
  return std::string(run_ok(uppercase_op(), text).at("text").as_string());
}
std::string lower(std::string_view text) {
  return std::string(run_ok(lowercase_op(), text).at("text").as_string());
}

TEST(CaseOps, ExactResultText) {
  EXPECT_EQ(run(uppercase_op(), "abc").value, R"({"text":"ABC"})");
  EXPECT_EQ(run(lowercase_op(), "ABC").value, R"({"text":"abc"})");
}

TEST(CaseOps, Empty) {
  EXPECT_EQ(run(uppercase_op(), "").value, R"({"text":""})");
  EXPECT_EQ(run(lowercase_op(), "").value, R"({"text":""})");
}

TEST(CaseOps, AsciiLettersOnly) {
  EXPECT_EQ(upper("Hello, World! 123 @[`{ z"), "HELLO, WORLD! 123 @[`{ Z");
  EXPECT_EQ(lower("Hello, World! 123 @[`{ Z"), "hello, world! 123 @[`{ z");
}

TEST(CaseOps, Utf8MultibyteBytesUnchanged) {
  // é = C3 A9, ö = C3 B6, É = C3 89: none is mapped, so the text stays valid UTF-8.
  EXPECT_EQ(upper("h\xC3\xA9llo w\xC3\xB6rld"), "H\xC3\xA9LLO W\xC3\xB6RLD");
  EXPECT_EQ(lower("H\xC3\x89LLO \xF0\x9F\x98\x80 X"), "h\xC3\x89llo \xF0\x9F\x98\x80 x");
}

TEST(CaseOps, ControlCharactersEscapedInResult) {
  const auto out = run(uppercase_op(), std::string_view("a\"b\\c\n\x01\0", 8));
  EXPECT_EQ(out.value, R"({"text":"A\"B\\C\n\u0001\u0000"})");
  EXPECT_EQ(ok_json(out).at("text").as_string(), std::string_view("A\"B\\C\n\x01\0", 8));
}

TEST(CaseOps, LongTextAndReusedBufferDoNotLeakBetweenRuns) {
  std::string big(100'000, 'q');
  big += "END";
  EXPECT_EQ(upper(big), std::string(100'000, 'Q') + "END");
  // A shorter run after a longer one must not see the longer run's bytes.
  EXPECT_EQ(upper("ab"), "AB");
  std::string huge(3 << 20, 'a'); // above the per-thread buffer's keep limit
  EXPECT_EQ(lower(upper(huge)), huge);
  EXPECT_EQ(lower("XY"), "xy");
}

TEST(CaseOps, RoundTrip) {
  const std::string_view text = "MiXeD cAsE 42 \xC3\xA9";
  EXPECT_EQ(lower(upper(text)), "mixed case 42 \xC3\xA9");
  EXPECT_EQ(upper(lower(text)), "MIXED CASE 42 \xC3\xA9");
}

} // namespace
} // namespace taskmesh::test
