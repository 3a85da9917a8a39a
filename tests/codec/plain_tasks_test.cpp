// File: tests/codec/plain_tasks_test.cpp
// parse_plain_tasks, the document-free path for the common submission:
// what it takes gives the same tasks as the general path (parse_json_body
// + parse_task_batch / parse_task), everything else it leaves to that
// path, and parse_tasks_body / parse_task_body answer exactly as the
// general path does either way (tasks or the same error).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/codec/fake_ops.hpp"

namespace taskmesh::codec_test {
namespace {

namespace json = boost::json;

const op_registry ops = fake_registry();

// As the general path made it; id and submitted_at are new per call.
void expect_same(const task& a, const task& b, const std::string& body) {
  expect_same_fields(a, b, body);
  EXPECT_FALSE(a.id == task_id{}) << body;
  EXPECT_GT(a.submitted_at, 0) << body;
}

parsed<std::vector<task>> general_batch(const std::string& body, const codec_limits& limits) {
  auto v = parse_json_body(body, limits);
  if (auto* e = std::get_if<api_error>(&v))
    return *e;
  return parse_task_batch(std::get<json::value>(v), ops, limits);
}

parsed<task> general_one(const std::string& body, const codec_limits& limits) {
  auto v = parse_json_body(body, limits);
  if (auto* e = std::get_if<api_error>(&v))
    return *e;
  return parse_task(std::get<json::value>(v), ops, limits);
}

void expect_same_error(const api_error& a, const api_error& b, const std::string& body) {
  EXPECT_EQ(a.status, b.status) << body;
  EXPECT_EQ(a.code, b.code) << body;
  EXPECT_EQ(a.message, b.message) << body;
  EXPECT_EQ(a.field, b.field) << body;
}

// The body-level answer for a batch equals the general path's.
void expect_batch_answer_as_general(const std::string& body, const codec_limits& limits) {
  const auto got = parse_tasks_body(body, ops, limits);
  const auto want = general_batch(body, limits);
  ASSERT_EQ(got.index(), want.index()) << body;
  if (const auto* e = std::get_if<api_error>(&want)) {
    expect_same_error(std::get<api_error>(got), *e, body);
    return;
  }
  const auto& g = std::get<std::vector<task>>(got);
  const auto& w = std::get<std::vector<task>>(want);
  ASSERT_EQ(g.size(), w.size()) << body;
  for (std::size_t i = 0; i < g.size(); ++i)
    expect_same(g[i], w[i], body);
}

const std::vector<std::string> plain_batches = {
  R"([{"type":"wordcount","payload":"one two three"}])",
  R"([{"payload":"x y","type":"wordcount","priority":"high","idempotency_key":"order-17","max_attempts":10},)"
  R"({"type":"wordcount"},{"type":"wordcount","priority":"normal","max_attempts":1}])",
  // Escapes, a surrogate pair, raw UTF-8: unescaped by the same tokenizer.
  R"([{"type":"wordcount","payload":"tab\there \"q\" \\ \/ \u00fc \ud83d\ude00 gr)" "\xc3\xbc\xc3\x9f" R"("}])",
  " \n[ {\"type\" : \"wordcount\" ,\t\"payload\" : \"a\" } ]\r\n",
};

TEST(PlainTasks, TakesTheCommonShapeAndMakesTheGeneralPathsTasks) {
  for (const auto& body : plain_batches) {
    const auto plain = parse_plain_tasks(body, true, ops, {});
    ASSERT_TRUE(plain) << "not taken: " << body;
    const auto general = value_of(general_batch(body, {}));
    ASSERT_EQ(plain->size(), general.size()) << body;
    for (std::size_t i = 0; i < general.size(); ++i)
      expect_same((*plain)[i], general[i], body);
    expect_batch_answer_as_general(body, {});
  }
}

TEST(PlainTasks, OneTaskObjectForPostTask) {
  const std::string body =
    R"({"type":"wordcount","payload":"a b","idempotency_key":"k","priority":"high"})";
  const auto plain = parse_plain_tasks(body, false, ops, {});
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->size(), 1u);
  expect_same(plain->front(), value_of(general_one(body, {})), body);
  EXPECT_FALSE(parse_plain_tasks(body, true, ops, {})) << "a batch is an array";
  EXPECT_FALSE(parse_plain_tasks("[" + body + "]", false, ops, {})) << "one task is an object";
  expect_same(value_of(parse_task_body(body, ops, {})), value_of(general_one(body, {})), body);
}

TEST(PlainTasks, LeavesEveryOtherShapeAndEveryErrorToTheGeneralPath) {
  codec_limits limits;
  limits.max_batch = 2;
  limits.max_idempotency_key = 8;
  const std::vector<std::string> others = {
    R"([{"type":"wordcount","payload":"a","params":{"delay_ms":5}}])", // params
    R"([{"type":"wordcount","params":5}])",
    R"([{"type":"wordcount","params":"x"}])",
    R"([{"payload":"a"}])",                                            // echo: a JSON op
    R"([{"type":"echo","payload":{"k":[1,2]}}])",
    R"([{"type":"replace","payload":"a"}])", // its check wants params
    R"([{"type":"nope"}])",
    R"([{"type":"legacy"}])", // disabled
    R"([{"type":"wordcount","colour":"red"}])",
    R"([{"type":"wordcount","payload":"a","payload":"b"}])", // a duplicate key
    R"([{"type":"wordcount","max_attempts":2,"max_attempts":4}])",
    R"([{"type":"wordcount","payload":5}])",
    R"([{"type":5}])",
    R"([{"type":null}])",
    R"([{"type":"wordcount","max_attempts":3.0}])",
    R"([{"type":"wordcount","max_attempts":0}])",
    R"([{"type":"wordcount","max_attempts":11}])",
    R"([{"type":"wordcount","max_attempts":"3"}])",
    R"([{"type":"wordcount","max_attempts":18446744073709551615}])",
    R"([{"type":"wordcount","max_attempts":true}])",
    R"([{"type":"wordcount","priority":"urgent"}])",
    R"([{"type":"wordcount","priority":"normalx"}])",
    R"([{"type":"wordcount","idempotency_key":""}])",
    R"([{"type":"wordcount","idempotency_key":"123456789"}])", // 9 > 8 bytes
    R"([])",
    R"([{"type":"wordcount"},{"type":"wordcount"},{"type":"wordcount"}])", // 3 > 2
    R"({"type":"wordcount"})",                                            // not an array
    R"(["wordcount"])",
    R"([1])",
    R"([{"type":"wordcount","payload":"a"},"b"])",
    R"([[{"type":"wordcount"}]])",
    R"([{"type":"wordcount")",
    R"([{"type":"wordcount"}] x)",
    R"([{"type":"wordcount"}] /* c */)",
    "[{\"type\":\"wordcount\",\"payload\":\"\xff\"}]", // invalid UTF-8
    R"([{"type":"wordcount","payload":1e400}])",
    "",
  };
  for (const auto& body : others) {
    EXPECT_FALSE(parse_plain_tasks(body, true, ops, limits)) << "taken: " << body;
    expect_batch_answer_as_general(body, limits);
  }
}

// A --max-json-depth below the shape's own depth refuses it, as the
// document parser would.
TEST(PlainTasks, ADepthLimitBelowTheShapeLeavesItToTheGeneralPath) {
  codec_limits limits;
  limits.max_json_depth = 1;
  const std::string body = R"([{"type":"wordcount"}])";
  EXPECT_FALSE(parse_plain_tasks(body, true, ops, limits));
  expect_batch_answer_as_general(body, limits);
  EXPECT_EQ(error_of(parse_tasks_body(body, ops, limits)).code, "invalid_json");
}

} // namespace
} // namespace taskmesh::codec_test
