// File: tests/codec/parse_task_batch_test.cpp
// parse_task_batch: all-or-nothing, bounds on the count, and errors that
// point at the offending element by index.
#include <string>

#include <gtest/gtest.h>

#include "tests/codec/fake_ops.hpp"

namespace taskmesh::codec_test {
namespace {

namespace json = boost::json;

class ParseBatch : public ::testing::Test {
protected:
  parsed<std::vector<task>> run(std::string_view body, const codec_limits& limits = {}) {
    auto v = parse_json_body(body, limits);
    if (auto* e = std::get_if<api_error>(&v)) {
      ADD_FAILURE() << "test body is not valid JSON: " << e->message;
      return *e;
    }
    return parse_task_batch(std::get<json::value>(v), ops, limits);
  }

  op_registry ops = fake_registry();
};

std::string repeat_tasks(std::size_t n) {
  std::string body = "[";
  for (std::size_t i = 0; i < n; ++i) body += i ? ",{}" : "{}";
  return body + "]";
}

TEST_F(ParseBatch, ParsesEveryTaskInOrder) {
  const auto tasks = value_of(run(R"([{"type":"wordcount","payload":"a"},)"
                                  R"({"payload":{"x":1},"priority":"high"},)"
                                  R"({"type":"replace","payload":"b","params":{"find":"b","replace":"c"}}])"));
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].op, 0);
  EXPECT_EQ(tasks[0].payload, "a");
  EXPECT_EQ(tasks[1].op, 1);
  EXPECT_EQ(tasks[1].payload, R"({"x":1})");
  EXPECT_EQ(tasks[1].prio, priority::high);
  EXPECT_EQ(tasks[2].op, 2);
  EXPECT_EQ(tasks[2].params, R"({"find":"b","replace":"c"})");
  EXPECT_NE(tasks[0].id, tasks[1].id);
  EXPECT_NE(tasks[1].id, tasks[2].id);
}

TEST_F(ParseBatch, NotAnArray) {
  for (const char* body : {"{}", "\"x\"", "null", "7"}) {
    const auto e = error_of(run(body));
    EXPECT_EQ(e.status, 400u);
    EXPECT_EQ(e.code, "invalid_field");
    EXPECT_EQ(e.field, "");
    EXPECT_EQ(e.message, "task batch must be a JSON array of task objects");
  }
}

TEST_F(ParseBatch, EmptyBatchIsRejected) {
  const auto e = error_of(run("[]"));
  EXPECT_EQ(e.code, "invalid_field");
  EXPECT_EQ(e.field, "");
  EXPECT_EQ(e.message, "task batch must contain 1 to 1000 tasks, got 0");
}

TEST_F(ParseBatch, SizeBounds) {
  codec_limits limits;
  limits.max_batch = 4;
  EXPECT_EQ(value_of(run(repeat_tasks(1), limits)).size(), 1u);
  EXPECT_EQ(value_of(run(repeat_tasks(4), limits)).size(), 4u);
  const auto e = error_of(run(repeat_tasks(5), limits));
  EXPECT_EQ(e.code, "invalid_field");
  EXPECT_EQ(e.field, "");
  EXPECT_EQ(e.message, "task batch must contain 1 to 4 tasks, got 5");
}

TEST_F(ParseBatch, DefaultSizeBoundIs1000) {
  EXPECT_EQ(value_of(run(repeat_tasks(1000))).size(), 1000u);
  EXPECT_EQ(error_of(run(repeat_tasks(1001))).message,
            "task batch must contain 1 to 1000 tasks, got 1001");
}

TEST_F(ParseBatch, OneBadTaskFailsTheBatchWithItsIndex) {
  const auto e = error_of(run(R"([{},{},{"priority":"urgent"},{"type":"nope"}])"));
  EXPECT_EQ(e.status, 400u);
  EXPECT_EQ(e.code, "invalid_field");
  EXPECT_EQ(e.field, "[2].priority");
  EXPECT_EQ(e.message, "task [2]: priority must be \"high\" or \"normal\"");
}

TEST_F(ParseBatch, ErrorCodeOfTheElementIsKept) {
  const auto e = error_of(run(R"([{},{"type":"legacy"}])"));
  EXPECT_EQ(e.code, "unknown_type");
  EXPECT_EQ(e.field, "[1].type");
  EXPECT_EQ(e.message, "task [1]: type \"legacy\" is not a known task type");
}

TEST_F(ParseBatch, NestedFieldPathsArePrefixed) {
  const auto e = error_of(run(R"([{"type":"replace","payload":"x","params":{"find":""}}])"));
  EXPECT_EQ(e.field, "[0].params.find");
  EXPECT_EQ(e.message, "task [0]: find must be a non-empty string");
}

TEST_F(ParseBatch, ElementThatIsNotAnObject) {
  const auto e = error_of(run(R"([{}, 5])"));
  EXPECT_EQ(e.code, "invalid_field");
  EXPECT_EQ(e.field, "[1]");
  EXPECT_EQ(e.message, "task [1]: task must be a JSON object");
}

TEST_F(ParseBatch, UnknownFieldInElement) {
  const auto e = error_of(run(R"([{"tipe":"echo"}])"));
  EXPECT_EQ(e.field, "[0].tipe");
  EXPECT_EQ(e.message, "task [0]: unknown field");
}

TEST_F(ParseBatch, FirstBadElementWins) {
  const auto e = error_of(run(R"([{"max_attempts":0},{"type":1}])"));
  EXPECT_EQ(e.field, "[0].max_attempts");
}

TEST_F(ParseBatch, LastElementIsChecked) {
  codec_limits limits;
  limits.max_batch = 3;
  const auto e = error_of(run(R"([{},{},{"payload":1,"type":"wordcount"}])", limits));
  EXPECT_EQ(e.field, "[2].payload");
}

} // namespace
} // namespace taskmesh::codec_test
