// File: tests/codec/plain_wire_test.cpp
// plain_tasks_from_wire, the document-free reader of task messages: the
// messages tasks_to_wire writes for text ops decode to the same tasks as
// with the general decoder (tasks_from_wire_document), every field kept;
// every other message is left to that decoder, and tasks_from_wire answers
// as it does either way, per task.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/codec/fake_ops.hpp"

namespace taskmesh {
namespace {
using codec_test::fake_registry;

const op_registry ops = fake_registry();

// Indexes in fake_registry: wordcount 0 (text), echo 1 (JSON), replace 2 (text).
task text_task(std::string payload) {
  task t;
  t.id = task_id::generate();
  t.op = 0;
  t.payload = std::move(payload);
  t.submitted_at = 1'795'000'000'123'456;
  return t;
}

void expect_same(const task& a, const task& b, const std::string& wire) {
  EXPECT_EQ(a.id, b.id) << wire;
  EXPECT_EQ(a.submitted_at, b.submitted_at) << wire;
  codec_test::expect_same_fields(a, b, wire);
}

// tasks_from_wire answers as the general decoder does: the same tasks, or
// the same error for each task it refuses.
void expect_answer_as_document(const std::string& wire) {
  const auto got = tasks_from_wire(wire, ops);
  const auto want = tasks_from_wire_document(wire, ops);
  ASSERT_EQ(got.size(), want.size()) << wire;
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].index(), want[i].index()) << wire;
    if (const auto* e = std::get_if<api_error>(&want[i])) {
      EXPECT_EQ(std::get<api_error>(got[i]).message, e->message) << wire;
      EXPECT_EQ(std::get<api_error>(got[i]).field, e->field) << wire;
    } else {
      expect_same(std::get<task>(got[i]), std::get<task>(want[i]), wire);
    }
  }
}

TEST(PlainWire, ReadsWhatTasksToWireWritesForTextOps) {
  task full = text_task("caf\xC3\xA9 \"quoted\"\n\t\\ \x01");
  full.prio = priority::high;
  full.max_attempts = 255;
  full.delay_ms = 4'294'967'295u;
  full.idempotency_key = "acme:order-42";
  full.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  full.tenant = "acme";
  full.attempts = 2;          // a retry re-published by a worker
  full.retry_at = 1'795'000'000'999'000;
  task bare = text_task("");
  bare.op = 2;                // replace, without params: the decoder does not check params
  const std::vector<std::vector<task>> messages = {{full}, {full, bare, text_task("x y z")}};
  for (const auto& tasks : messages) {
    const auto wire = tasks.size() == 1 ? task_to_wire(tasks[0], ops) : tasks_to_wire(tasks, ops);
    const auto plain = plain_tasks_from_wire(wire, ops);
    ASSERT_TRUE(plain) << "not taken: " << wire;
    ASSERT_EQ(plain->size(), tasks.size());
    for (std::size_t i = 0; i < tasks.size(); ++i)
      expect_same((*plain)[i], tasks[i], wire);
    expect_answer_as_document(wire);
  }
}

TEST(PlainWire, LeavesEveryOtherMessageToTheGeneralDecoder) {
  const std::string id = task_id::generate().to_string();
  const std::string head = R"({"v":1,"id":")" + id + R"(",)";
  const std::vector<std::string> others = {
    head + R"("type":"replace","payload":"a","params":{"find":"a","replace":"b"}})",
    head + R"("type":"wordcount","params":5})",          // params not an object
    head + R"("type":"wordcount","params":"x"})",
    head + R"("type":"echo","payload":{"k":[1,2.5]}})", // a JSON op
    head + R"("type":"wordcount","payload":"a","colour":"red"})", // an unknown member
    head + R"("type":"wordcount","payload":"a","payload":"b"})", // a duplicate member
    head + R"("type":"wordcount","max_attempts":2,"max_attempts":4})",
    head + R"("type":"wordcount","submitted_at":1.5})",
    head + R"("type":"wordcount","submitted_at":18446744073709551615})",
    head + R"("type":"wordcount","max_attempts":0})",
    head + R"("type":"wordcount","max_attempts":256})",
    head + R"("type":"wordcount","attempts":-1})",
    head + R"("type":"wordcount","delay_ms":4294967296})",
    head + R"("type":"wordcount","priority":1})",
    head + R"("type":"wordcount","tenant":null})",
    head + R"("type":"wordcount","payload":5})",
    head + R"("type":"nope"})",
    head + R"("type":"legacy"})", // disabled
    R"({"v":2,"id":")" + id + R"(","type":"wordcount"})",
    R"({"v":1,"id":"not-an-id","type":"wordcount"})",
    R"({"v":1,"type":"wordcount"})",
    R"({"v":"1","id":")" + id + R"(","type":"wordcount"})",
    "[]",
    "[1]",
    R"([)" + head + R"("type":"wordcount"},"x"])",
    R"([[)" + head + R"("type":"wordcount"}]])",
    head + R"("type":"wordcount"} x)",
    head + R"("type":"wordcount")",
    "\"task\"",
  };
  for (const auto& wire : others) {
    EXPECT_FALSE(plain_tasks_from_wire(wire, ops)) << "taken: " << wire;
    expect_answer_as_document(wire);
  }
  // One bad task in an envelope: the general decoder refuses only that one.
  const auto envelope = "[" + task_to_wire(text_task("ok"), ops) + "," + head +
                        R"("type":"nope"},)" + task_to_wire(text_task("ok too"), ops) + "]";
  EXPECT_FALSE(plain_tasks_from_wire(envelope, ops));
  const auto decoded = tasks_from_wire(envelope, ops);
  ASSERT_EQ(decoded.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<task>(decoded[0]));
  EXPECT_TRUE(std::holds_alternative<api_error>(decoded[1]));
  EXPECT_TRUE(std::holds_alternative<task>(decoded[2]));
}

} // namespace
} // namespace taskmesh
