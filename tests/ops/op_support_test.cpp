// File: tests/ops/op_support_test.cpp
// The shared helpers behind every op's params checks and result JSON.
#include <string>

#include "actors/ops/op_support.hpp"
#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

std::string quoted(std::string_view s) {
  std::string out = "prefix:";
  ops::append_json_string(out, s);
  return out;
}

TEST(OpSupport, JsonStringEscaping) {
  EXPECT_EQ(quoted(""), R"(prefix:"")");
  EXPECT_EQ(quoted("plain"), R"(prefix:"plain")");
  EXPECT_EQ(quoted("q\"b\\s/"), R"(prefix:"q\"b\\s/")");
  EXPECT_EQ(quoted("\b\f\n\r\t"), R"(prefix:"\b\f\n\r\t")");
  EXPECT_EQ(quoted(std::string_view("\0\x1f\x7f", 3)), "prefix:\"\\u0000\\u001f\x7f\"");
  EXPECT_EQ(quoted("h\xC3\xA9 \xF0\x9F\x98\x80"), "prefix:\"h\xC3\xA9 \xF0\x9F\x98\x80\"");
}

TEST(OpSupport, JsonStringEscapingOfLongControlHeavyText) {
  // Escapes grow the output up to 6x, past the first buffer's estimate.
  std::string text;
  for (int i = 0; i < 10'000; ++i)
    text += static_cast<char>(i % 32);
  std::string out;
  ops::append_json_string(out, text);
  const auto v = boost::json::parse(out);
  EXPECT_EQ(v.as_string(), text);
}

TEST(OpSupport, AsInteger) {
  EXPECT_EQ(ops::as_integer(boost::json::value(-5)), -5);
  EXPECT_EQ(ops::as_integer(boost::json::parse("9223372036854775807")), INT64_MAX);
  EXPECT_EQ(ops::as_integer(boost::json::parse("18446744073709551615")), INT64_MAX);
  // Built in code rather than parsed, small values can be uint64 too.
  EXPECT_EQ(ops::as_integer(boost::json::value(std::uint64_t{5})), 5);
  EXPECT_FALSE(ops::as_integer(boost::json::parse("1.0")));
  EXPECT_FALSE(ops::as_integer(boost::json::parse("1e3")));
  EXPECT_FALSE(ops::as_integer(boost::json::parse("\"1\"")));
  EXPECT_FALSE(ops::as_integer(boost::json::parse("true")));
}

TEST(OpSupport, WrongTypeNamesWhatItGot) {
  const auto e = ops::wrong_type("find", "a string", boost::json::parse("{}"));
  EXPECT_EQ(e.field, "find");
  EXPECT_EQ(e.message, "must be a string, got an object");
  EXPECT_EQ(ops::wrong_type("x", "a boolean", nullptr).message, "must be a boolean, got null");
}

TEST(OpSupport, TextResult) {
  EXPECT_EQ(ops::text_result("a\"b"), R"({"text":"a\"b"})");
}

} // namespace
} // namespace taskmesh::test
