// File: tests/codec/task_json_test.cpp
// record_to_json and error_to_json: the output is re-parsed with Boost.JSON
// and checked field by field, so escaping bugs show up as parse failures.
#include <regex>
#include <string>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "tests/codec/fake_ops.hpp"

namespace taskmesh::codec_test {
namespace {

namespace json = boost::json;

// 2026-11-22T02:12:15.123456Z
constexpr timestamp kSubmitted = 1'795'313'535'123'456;

json::object reparse(const std::string& text) {
  json::error_code ec;
  json::value v = json::parse(text, ec); // strict: rejects invalid UTF-8 too
  EXPECT_FALSE(ec) << ec.message() << " in: " << text;
  EXPECT_TRUE(v.is_object()) << text;
  return v.is_object() ? v.get_object() : json::object{};
}

task_record sample_record() {
  task_record r;
  r.id = *task_id::parse("01890a5d-ac96-774b-bcce-b302099a8057");
  r.op = 2; // "replace"
  r.submitted_at = kSubmitted;
  return r;
}

class RecordToJson : public ::testing::Test {
protected:
  op_registry ops = fake_registry();
};

TEST_F(RecordToJson, QueuedRecord) {
  const std::string text = record_to_json(sample_record(), ops);
  const json::object o = reparse(text);
  EXPECT_EQ(o.size(), 12u);
  EXPECT_EQ(o.at("id").as_string(), "01890a5d-ac96-774b-bcce-b302099a8057");
  EXPECT_EQ(o.at("type").as_string(), "replace");
  EXPECT_EQ(o.at("status").as_string(), "queued");
  EXPECT_EQ(o.at("priority").as_string(), "normal");
  EXPECT_EQ(o.at("attempts").as_int64(), 0);
  EXPECT_EQ(o.at("max_attempts").as_int64(), 3);
  EXPECT_EQ(o.at("submitted_at").as_string(), "2026-11-22T02:12:15.123Z");
  EXPECT_TRUE(o.at("started_at").is_null());
  EXPECT_TRUE(o.at("finished_at").is_null());
  EXPECT_TRUE(o.at("next_attempt_at").is_null());
  EXPECT_TRUE(o.at("result").is_null());
  EXPECT_TRUE(o.at("error").is_null());
}

TEST_F(RecordToJson, KeysComeInTheDocumentedOrder) {
  const json::object o = reparse(record_to_json(sample_record(), ops));
  const char* expected[] = {"id",           "type",         "status",     "priority",
                            "attempts",     "max_attempts", "submitted_at", "started_at",
                            "finished_at",  "next_attempt_at", "result",  "error"};
  std::size_t i = 0;
  for (const auto& kv : o) {
    ASSERT_LT(i, std::size(expected));
    EXPECT_EQ(kv.key(), expected[i++]);
  }
  EXPECT_EQ(i, std::size(expected));
}

TEST_F(RecordToJson, SucceededRecordEmbedsResultRaw) {
  task_record r = sample_record();
  r.status = task_status::succeeded;
  r.prio = priority::high;
  r.attempts = 2;
  r.max_attempts = 5;
  r.started_at = kSubmitted + 1'000'000;
  r.finished_at = kSubmitted + 61'999'999;
  r.next_attempt_at = kSubmitted + 500'000;
  r.result = R"({"words":3,"list":["a","b\"c"],"n":null})";
  const std::string text = record_to_json(r, ops);
  // Embedded byte for byte, not re-serialized.
  EXPECT_NE(text.find(R"("result":{"words":3,"list":["a","b\"c"],"n":null},)"), std::string::npos)
      << text;
  const json::object o = reparse(text);
  EXPECT_EQ(o.at("status").as_string(), "succeeded");
  EXPECT_EQ(o.at("priority").as_string(), "high");
  EXPECT_EQ(o.at("attempts").as_int64(), 2);
  EXPECT_EQ(o.at("max_attempts").as_int64(), 5);
  EXPECT_EQ(o.at("started_at").as_string(), "2026-11-22T02:12:16.123Z");
  EXPECT_EQ(o.at("finished_at").as_string(), "2026-11-22T02:13:17.123Z");
  EXPECT_EQ(o.at("next_attempt_at").as_string(), "2026-11-22T02:12:15.623Z");
  EXPECT_EQ(o.at("result").at("words").as_int64(), 3);
  EXPECT_EQ(o.at("result").at("list").as_array()[1].as_string(), "b\"c");
  EXPECT_TRUE(o.at("result").at("n").is_null());
  EXPECT_TRUE(o.at("error").is_null());
}

TEST_F(RecordToJson, ScalarResults) {
  task_record r = sample_record();
  r.result = "42";
  EXPECT_EQ(reparse(record_to_json(r, ops)).at("result").as_int64(), 42);
  r.result = R"("text")";
  EXPECT_EQ(reparse(record_to_json(r, ops)).at("result").as_string(), "text");
  r.result = "null";
  EXPECT_TRUE(reparse(record_to_json(r, ops)).at("result").is_null());
}

TEST_F(RecordToJson, TimestampsAreRfc3339WithMilliseconds) {
  task_record r = sample_record();
  r.started_at = now_us();
  const std::regex rfc3339(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  const json::object o = reparse(record_to_json(r, ops));
  for (const char* key : {"submitted_at", "started_at"}) {
    const std::string s(o.at(key).as_string());
    EXPECT_TRUE(std::regex_match(s, rfc3339)) << key << " = " << s;
  }
  EXPECT_EQ(o.at("started_at").as_string(), to_rfc3339(r.started_at));
}

TEST_F(RecordToJson, ErrorTextIsEscaped) {
  task_record r = sample_record();
  r.status = task_status::failed;
  r.error = "bad \"input\"\nline 2\ttab \\ back\x01 end </script>";
  const std::string text = record_to_json(r, ops);
  const json::object o = reparse(text);
  EXPECT_EQ(o.at("error").as_string(), r.error);
  EXPECT_EQ(o.at("status").as_string(), "failed");
  EXPECT_EQ(text.find('\n'), std::string::npos);
}

TEST_F(RecordToJson, NonAsciiErrorTextIsKept) {
  task_record r = sample_record();
  r.error = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  EXPECT_EQ(reparse(record_to_json(r, ops)).at("error").as_string(), r.error);
}

TEST_F(RecordToJson, InvalidUtf8InErrorTextStaysValidJson) {
  task_record r = sample_record();
  r.error = std::string("bad \xff byte, cut \xe2\x82");
  const json::object o = reparse(record_to_json(r, ops));
  EXPECT_EQ(o.at("error").as_string(), "bad \xef\xbf\xbd byte, cut \xef\xbf\xbd\xef\xbf\xbd");
}

TEST_F(RecordToJson, DeadRecordAfterRetries) {
  task_record r = sample_record();
  r.op = 0;
  r.status = task_status::dead;
  r.attempts = 10;
  r.max_attempts = 10;
  r.error = "gave up";
  const json::object o = reparse(record_to_json(r, ops));
  EXPECT_EQ(o.at("type").as_string(), "wordcount");
  EXPECT_EQ(o.at("status").as_string(), "dead");
  EXPECT_EQ(o.at("attempts").as_int64(), 10);
  EXPECT_EQ(o.at("error").as_string(), "gave up");
}

TEST_F(RecordToJson, DisabledOpStillHasItsName) {
  task_record r = sample_record();
  r.op = 5; // "legacy", disabled after the task was accepted
  EXPECT_EQ(reparse(record_to_json(r, ops)).at("type").as_string(), "legacy");
}

TEST_F(RecordToJson, OpIndexOutOfRangeRendersNullType) {
  task_record r = sample_record();
  r.op = 999;
  EXPECT_TRUE(reparse(record_to_json(r, ops)).at("type").is_null());
}

TEST_F(RecordToJson, QueuedRecordOfAParsedTask) {
  const task t = value_of(parse_task_text(R"({"type":"wordcount","priority":"high"})", ops));
  const json::object o = reparse(record_to_json(queued_record(t), ops));
  EXPECT_EQ(o.at("id").as_string(), t.id.to_string());
  EXPECT_EQ(o.at("type").as_string(), "wordcount");
  EXPECT_EQ(o.at("priority").as_string(), "high");
  EXPECT_EQ(o.at("submitted_at").as_string(), to_rfc3339(t.submitted_at));
}

TEST(ErrorToJson, WithField) {
  const api_error e{400, "invalid_field", "priority must be \"high\" or \"normal\"", "[3].priority"};
  const std::string text = error_to_json(e);
  EXPECT_EQ(text, R"({"error":{"code":"invalid_field","message":"priority must be \"high\" or )"
                  R"(\"normal\"","field":"[3].priority"}})");
  const json::object o = reparse(text);
  ASSERT_EQ(o.size(), 1u);
  const json::object& inner = o.at("error").as_object();
  EXPECT_EQ(inner.size(), 3u);
  EXPECT_EQ(inner.at("code").as_string(), "invalid_field");
  EXPECT_EQ(inner.at("message").as_string(), e.message);
  EXPECT_EQ(inner.at("field").as_string(), "[3].priority");
}

TEST(ErrorToJson, WithoutField) {
  const api_error e{400, "invalid_json", "invalid JSON at byte 3: syntax error", ""};
  const std::string text = error_to_json(e);
  EXPECT_EQ(text,
            R"({"error":{"code":"invalid_json","message":"invalid JSON at byte 3: syntax error"}})");
  const json::object o = reparse(text);
  const json::object& inner = o.at("error").as_object();
  EXPECT_EQ(inner.size(), 2u);
  EXPECT_EQ(inner.if_contains("field"), nullptr);
}

TEST(ErrorToJson, EscapesEverything) {
  const api_error e{404, "not\"found", "line1\nline2\\", "weird \"key\"\t"};
  const json::object o = reparse(error_to_json(e));
  const json::object& inner = o.at("error").as_object();
  EXPECT_EQ(inner.at("code").as_string(), e.code);
  EXPECT_EQ(inner.at("message").as_string(), e.message);
  EXPECT_EQ(inner.at("field").as_string(), e.field);
}

TEST(ErrorToJson, RoundTripsAParseError) {
  const auto parsed_body = parse_json_body("{\"a\":", {});
  const api_error e = error_of(parsed_body);
  const json::object o = reparse(error_to_json(e));
  const json::object& inner = o.at("error").as_object();
  EXPECT_EQ(inner.at("code").as_string(), "invalid_json");
  EXPECT_EQ(inner.at("message").as_string(), e.message);
  EXPECT_EQ(inner.if_contains("field"), nullptr);
}

} // namespace
} // namespace taskmesh::codec_test
