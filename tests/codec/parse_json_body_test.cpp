// File: tests/codec/parse_json_body_test.cpp
// parse_json_body: well-formed bodies come back as values that own their
// memory; every kind of malformed body is a 400 invalid_json with a message
// that says what and where.
#include <string>

#include <gtest/gtest.h>

#include <boost/json/monotonic_resource.hpp>

#include "tests/codec/fake_ops.hpp"

namespace taskmesh::codec_test {
namespace {

namespace json = boost::json;

api_error body_error(std::string_view body, codec_limits limits = {}) {
  return error_of(parse_json_body(body, limits));
}

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}

TEST(ParseJsonBody, ParsesObjectWithSurroundingWhitespace) {
  const auto v = value_of(parse_json_body(" \n{\"type\":\"echo\",\"payload\":[1,2.5,\"x\"]}\t ", {}));
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.at("type").as_string(), "echo");
  EXPECT_EQ(json::serialize(v.at("payload")), "[1,2.5E0,\"x\"]");
}

TEST(ParseJsonBody, ValueOutlivesTheBodyAndParserScratch) {
  json::value v;
  {
    std::string body = "{\"k\":\"" + std::string(10000, 'z') + "\",\"a\":[" +
                       std::string(2000, '[') + std::string(2000, ']') + "]}";
    codec_limits limits;
    limits.max_json_depth = 3000;
    v = value_of(parse_json_body(body, limits));
    body.assign(body.size(), '#'); // scribble over the input
  }
  EXPECT_EQ(v.at("k").as_string().size(), 10000u);
  EXPECT_EQ(v.at("k").as_string()[9999], 'z');
  EXPECT_TRUE(v.at("a").is_array());
}

// The handlers parse into an arena on their stack: every node of the value
// must come from the storage given, not from the heap (the parser's
// constructor takes the storage for its temporary stack only; given there,
// the arena went unused and each node was allocated and freed on its own).
TEST(ParseJsonBody, ValueLivesInTheStorageGiven) {
  json::monotonic_resource arena;
  const auto v = value_of(parse_json_body(R"([{"type":"echo","payload":{"k":"a long enough string"}}])", {}, &arena));
  EXPECT_EQ(v.storage().get(), &arena);
  EXPECT_TRUE(v.storage().is_deallocate_trivial()) << "no walk over the nodes to free them";
  const auto& task = v.as_array().at(0).as_object();
  EXPECT_EQ(task.storage().get(), &arena);
  EXPECT_EQ(task.at("payload").as_object().at("k").as_string().storage().get(), &arena);
  EXPECT_EQ(value_of(parse_json_body("[1]", {})).storage().get(), json::storage_ptr{}.get())
    << "without storage: the default resource";
}

TEST(ParseJsonBody, EmptyBody) {
  const auto e = body_error("");
  EXPECT_EQ(e.status, 400u);
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.message, "invalid JSON: request body is empty");
  EXPECT_EQ(e.field, "");
}

TEST(ParseJsonBody, WhitespaceOnlyIsIncomplete) {
  const auto e = body_error("   ");
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.message, "invalid JSON at byte 3: incomplete JSON");
}

TEST(ParseJsonBody, TruncatedBody) {
  const auto e = body_error("{\"type\":\"ec");
  EXPECT_EQ(e.status, 400u);
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.message, "invalid JSON at byte 11: incomplete JSON");
  EXPECT_EQ(e.field, "");
}

TEST(ParseJsonBody, SyntaxErrorNamesTheByte) {
  const auto e = body_error("{\"type\":echo}");
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.message, "invalid JSON at byte 8: syntax error");
}

TEST(ParseJsonBody, TrailingCommaIsRejected) {
  const auto e = body_error("[1,2,]");
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.message, "invalid JSON at byte 5: syntax error");
}

TEST(ParseJsonBody, TrailingGarbage) {
  const auto e = body_error("{\"a\":1} x");
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.message, "invalid JSON at byte 8: unexpected data after the JSON value");
}

TEST(ParseJsonBody, SecondValueIsTrailingGarbage) {
  const auto e = body_error("{} {}");
  EXPECT_EQ(e.message, "invalid JSON at byte 3: unexpected data after the JSON value");
}

TEST(ParseJsonBody, NestingAtTheLimitIsAccepted) {
  codec_limits limits;
  limits.max_json_depth = 5;
  const auto v = value_of(parse_json_body(nested_arrays(5), limits));
  EXPECT_EQ(json::serialize(v), "[[[[[1]]]]]");
}

TEST(ParseJsonBody, NestingBeyondTheLimitIsRejected) {
  codec_limits limits;
  limits.max_json_depth = 5;
  const auto e = body_error(nested_arrays(6), limits);
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.message, "invalid JSON at byte 5: too deep");
}

TEST(ParseJsonBody, DefaultDepthLimitIs32) {
  EXPECT_TRUE(std::holds_alternative<json::value>(parse_json_body(nested_arrays(32), {})));
  const auto e = body_error(nested_arrays(33));
  EXPECT_EQ(e.message, "invalid JSON at byte 32: too deep");
}

TEST(ParseJsonBody, ObjectsCountTowardsDepth) {
  codec_limits limits;
  limits.max_json_depth = 2;
  EXPECT_TRUE(std::holds_alternative<json::value>(parse_json_body("{\"a\":{\"b\":1}}", limits)));
  const auto e = body_error("{\"a\":{\"b\":[1]}}", limits);
  EXPECT_EQ(e.message, "invalid JSON at byte 10: too deep");
}

// RFC 8259 has no Infinity: a number that overflows a double must not get
// in, or a result echoing it is no longer JSON.
TEST(ParseJsonBody, NumbersThatDoNotFitADoubleAreRejectedAnywhere) {
  const std::string digits400 = "1" + std::string(400, '0');
  for (const std::string& body :
       {std::string(R"({"payload":1e400})"), std::string(R"({"payload":-1e400})"),
        std::string(R"({"payload":{"a":[1,{"b":1E+309}]}})"),
        std::string(R"({"type":"extract","payload":"a","params":{"pattern":"a","max_matches":1e999}})"),
        R"({"payload":)" + digits400 + "}", "[" + digits400 + "]", std::string("1e400")}) {
    SCOPED_TRACE(body);
    const auto e = body_error(body);
    EXPECT_EQ(e.status, 400u);
    EXPECT_EQ(e.code, "invalid_json");
    EXPECT_EQ(e.message, "invalid JSON: a number is out of range (it does not fit a 64-bit double)");
  }
}

TEST(ParseJsonBody, NanAndInfinityTokensAreRejected) {
  for (const char* body : {R"({"payload":NaN})", R"({"payload":Infinity})",
                           R"({"payload":-Infinity})", R"({"params":{"x":[nan]}})"}) {
    SCOPED_TRACE(body);
    EXPECT_EQ(body_error(body).code, "invalid_json");
  }
}

TEST(ParseJsonBody, LargeButFiniteAndTinyNumbersAreAccepted) {
  const auto v = value_of(parse_json_body(R"([1.7976931348623157e308,-1e308,1e-400,18446744073709551615])", {}));
  EXPECT_EQ(v.as_array().size(), 4u);
}

TEST(ParseJsonBody, InvalidUtf8InStringIsRejected) {
  const auto e = body_error("{\"payload\":\"ab\xff\"}");
  EXPECT_EQ(e.status, 400u);
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.message, "invalid JSON at byte 14: invalid UTF-8");
}

TEST(ParseJsonBody, TruncatedUtf8SequenceIsRejected) {
  // 0xC3 starts a two-byte sequence; '"' cannot continue it.
  const auto e = body_error("[\"\xc3\"]");
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_EQ(e.message, "invalid JSON at byte 2: invalid UTF-8");
}

TEST(ParseJsonBody, OverlongAndSurrogateEncodingsAreRejected) {
  EXPECT_EQ(body_error("[\"\xc0\xaf\"]").code, "invalid_json");         // overlong '/'
  EXPECT_EQ(body_error("[\"\xed\xa0\x80\"]").code, "invalid_json");     // U+D800
  EXPECT_EQ(body_error("[\"\xf4\x90\x80\x80\"]").code, "invalid_json"); // > U+10FFFF
}

TEST(ParseJsonBody, NonAsciiOutsideStringsIsASyntaxError) {
  // Valid UTF-8 ("é"), just not allowed there.
  const auto e = body_error("[\xc3\xa9]");
  EXPECT_EQ(e.message, "invalid JSON at byte 1: syntax error");
}

TEST(ParseJsonBody, ValidUtf8IsKept) {
  const auto v = value_of(parse_json_body("[\"gr\xc3\xbc\xc3\x9f \xf0\x9f\x98\x80\"]", {}));
  EXPECT_EQ(v.as_array()[0].as_string(), "gr\xc3\xbc\xc3\x9f \xf0\x9f\x98\x80");
}

TEST(ParseJsonBody, CommentsAreRejected) {
  EXPECT_EQ(body_error("{} // hi").code, "invalid_json");
  EXPECT_EQ(body_error("[1 /* x */]").code, "invalid_json");
}

} // namespace
} // namespace taskmesh::codec_test
