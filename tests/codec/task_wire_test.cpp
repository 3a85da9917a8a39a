// File: tests/codec/task_wire_test.cpp
// The task's wire form (cluster mode's NATS message body): round trips keep
// every field, ops travel by name, and messages this process cannot run are
// refused with a precise error instead of being half-decoded.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tests/codec/fake_ops.hpp"

namespace taskmesh {
namespace {
using codec_test::fake_registry;

task sample(op_index op, std::string payload) {
  task t;
  t.id = task_id::generate();
  t.op = op;
  t.prio = priority::high;
  t.max_attempts = 5;
  t.delay_ms = 250;
  t.submitted_at = 1'795'000'000'123'456;
  t.payload = std::move(payload);
  t.idempotency_key = "order-42";
  t.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  t.tenant = "acme";
  return t;
}

TEST(TaskWire, TextTaskRoundTripsEveryField) {
  const auto ops = fake_registry();
  auto t = sample(2, "caf\xC3\xA9 \"quoted\"\n"); // replace: text payload
  t.params = R"({"find":"a","replace":"b"})";
  const auto wire = task_to_wire(t, ops);
  auto back = task_from_wire(wire, ops);
  ASSERT_TRUE(std::holds_alternative<task>(back)) << std::get<api_error>(back).message;
  const auto& r = std::get<task>(back);
  EXPECT_EQ(r.id, t.id);
  EXPECT_EQ(r.op, 2);
  EXPECT_EQ(r.prio, priority::high);
  EXPECT_EQ(r.max_attempts, 5);
  EXPECT_EQ(r.delay_ms, 250u);
  EXPECT_EQ(r.submitted_at, t.submitted_at);
  EXPECT_EQ(r.payload, t.payload);
  EXPECT_EQ(boost::json::parse(r.params.str()), boost::json::parse(t.params.str()));
  EXPECT_EQ(r.idempotency_key, "order-42");
  EXPECT_EQ(r.traceparent, t.traceparent);
  EXPECT_EQ(r.tenant, "acme"); // GET on any pod answers only this tenant
  EXPECT_EQ(r.attempts, 0); // attempts are counted by deliveries, not carried
}

// An envelope (one intake round's lane in one message) is an array of task
// objects; each decodes on its own, and one that cannot run here does not
// take the others with it.
TEST(TaskWire, EnvelopeRoundTripsEachTaskAndRefusesOnlyTheBadOne) {
  const auto ops = fake_registry();
  const std::vector<task> tasks{sample(2, "one"), sample(2, "two")};
  const auto wire = tasks_to_wire(tasks, ops);
  auto back = tasks_from_wire(wire, ops);
  ASSERT_EQ(back.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(std::holds_alternative<task>(back[i]));
    EXPECT_EQ(std::get<task>(back[i]).id, tasks[i].id);
    EXPECT_EQ(std::get<task>(back[i]).payload, tasks[i].payload);
    EXPECT_EQ(std::get<task>(back[i]).traceparent, tasks[i].traceparent);
  }
  // A single task object is a one-task message.
  ASSERT_EQ(tasks_from_wire(task_to_wire(tasks[0], ops), ops).size(), 1u);
  auto bad = boost::json::parse(wire).as_array();
  bad[1].as_object()["type"] = "no-such-op";
  const auto mixed = tasks_from_wire(boost::json::serialize(bad), ops);
  ASSERT_EQ(mixed.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<task>(mixed[0]));
  ASSERT_TRUE(std::holds_alternative<api_error>(mixed[1]));
  EXPECT_EQ(std::get<api_error>(mixed[1]).field, "type");
  for (const char* body : {"[]", "42", "not json"}) {
    const auto none = tasks_from_wire(body, ops);
    ASSERT_EQ(none.size(), 1u) << body;
    EXPECT_TRUE(std::holds_alternative<api_error>(none[0])) << body;
  }
}

// The message is written as text, not through a DOM: it must be the very
// bytes Boost.JSON would serialize (so parse -> serialize changes nothing),
// whatever a string holds: every ASCII byte, quotes, backslashes, UTF-8.
TEST(TaskWire, WrittenTextIsWhatBoostJsonWouldSerialize) {
  const auto ops = fake_registry();
  std::string every_byte;
  for (int c = 1; c < 0x80; ++c)
    every_byte += static_cast<char>(c);
  auto text = sample(2, every_byte + "caf\xC3\xA9 \xE2\x82\xAC");
  text.params = R"({"find":"\"","replace":"\\"})";
  text.idempotency_key = "key \"with\" quotes\t";
  text.tenant = "back\\slash";
  text.attempts = 2;
  text.retry_at = 1'795'000'000'000'001;
  // A JSON op's payload is stored as the request codec serialized it.
  auto json_op = sample(1, boost::json::serialize(boost::json::parse(R"({"a":[1,-2.5,"x\u0001"],"b":{}})")));
  json_op.prio = priority::normal;
  json_op.idempotency_key = "";
  json_op.traceparent = "";
  json_op.tenant = "";
  const std::vector<task> tasks{text, json_op};
  for (const auto& wire : {tasks_to_wire(tasks, ops), task_to_wire(text, ops), task_to_wire(json_op, ops)})
    EXPECT_EQ(wire, boost::json::serialize(boost::json::parse(wire)));
  auto back = tasks_from_wire(tasks_to_wire(tasks, ops), ops);
  ASSERT_EQ(back.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<task>(back[0]));
  const auto& r = std::get<task>(back[0]);
  EXPECT_EQ(r.payload, text.payload);
  EXPECT_EQ(r.idempotency_key, text.idempotency_key);
  EXPECT_EQ(r.tenant, text.tenant);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.retry_at, text.retry_at);
  EXPECT_EQ(boost::json::parse(r.params.str()), boost::json::parse(text.params.str()));
  ASSERT_TRUE(std::holds_alternative<task>(back[1]));
  EXPECT_EQ(std::get<task>(back[1]).payload, json_op.payload);
  EXPECT_TRUE(std::get<task>(back[1]).tenant.empty());
}

// A retry re-published alone: task i of the message, its attempts raised by
// the delivery count and the end of its backoff in retry_at.
TEST(TaskWire, TaskWithAttemptsTakesOneTaskOutWithItsAttemptsAndRetryAt) {
  const auto ops = fake_registry();
  const std::vector<task> tasks{sample(2, "one"), sample(2, "two")};
  const auto copy = task_with_attempts(tasks_to_wire(tasks, ops), 1, 2, 1'795'000'000'000'000);
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->id, tasks[1].id.to_string());
  auto back = task_from_wire(copy->body, ops);
  ASSERT_TRUE(std::holds_alternative<task>(back));
  EXPECT_EQ(std::get<task>(back).id, tasks[1].id);
  EXPECT_EQ(std::get<task>(back).attempts, 2);
  EXPECT_EQ(std::get<task>(back).retry_at, 1'795'000'000'000'000);
  // Again from the copy: attempts add up, retry_at 0 removes it.
  const auto again = task_with_attempts(copy->body, 0, 1, 0);
  ASSERT_TRUE(again);
  auto twice = task_from_wire(again->body, ops);
  ASSERT_TRUE(std::holds_alternative<task>(twice));
  EXPECT_EQ(std::get<task>(twice).attempts, 3);
  EXPECT_EQ(std::get<task>(twice).retry_at, 0);
  EXPECT_FALSE(task_with_attempts(copy->body, 1, 1, 0)) << "a single task has only index 0";
  EXPECT_FALSE(task_with_attempts("nonsense", 0, 1, 0));
}

TEST(TaskWire, OpTravelsByNameAndJsonPayloadStaysJson) {
  const auto ops = fake_registry();
  const auto t = sample(1, R"({"a":[1,2,{"b":null}]})"); // echo: json payload
  const auto v = boost::json::parse(task_to_wire(t, ops)).as_object();
  EXPECT_EQ(v.at("type"), "echo");
  EXPECT_EQ(v.at("payload"), boost::json::parse(t.payload)); // embedded, not a string
  EXPECT_FALSE(v.contains("params"));
  auto back = std::get<task>(task_from_wire(task_to_wire(t, ops), ops));
  EXPECT_EQ(boost::json::parse(back.payload), boost::json::parse(t.payload));
}

// Found by task_wire_fuzzer: Boost.JSON 1.81 reads some numbers one unit in
// the last place off (this one as ...446E58, then that as ...45E58), so a
// payload number drifted on its way to a worker. The wire keeps the correctly
// rounded value (2.4444444444444443e58, as Python's float() reads it) on
// every hop.
TEST(TaskWire, PayloadNumbersSurviveEveryHopExactly) {
  const auto ops = fake_registry();
  const auto sent = sample(1, R"({"k":[1,24444444444444444444444444444444444444444444444444444444444]})");
  auto hop = std::get<task>(task_from_wire(task_to_wire(sent, ops), ops));
  EXPECT_EQ(hop.payload, R"({"k":[1,2.4444444444444443E58]})");
  for (int i = 0; i < 3; ++i) {
    hop = std::get<task>(task_from_wire(task_to_wire(hop, ops), ops));
    EXPECT_EQ(hop.payload, R"({"k":[1,2.4444444444444443E58]})");
  }
}

TEST(TaskWire, NormalPriorityAndNoKeyAreOmittedOrDefaulted) {
  const auto ops = fake_registry();
  auto t = sample(0, "w");
  t.prio = priority::normal;
  t.idempotency_key.clear();
  t.tenant.clear();
  const auto v = boost::json::parse(task_to_wire(t, ops)).as_object();
  EXPECT_EQ(v.at("priority"), "normal");
  EXPECT_FALSE(v.contains("idempotency_key"));
  EXPECT_FALSE(v.contains("tenant")); // the default tenant
  EXPECT_EQ(std::get<task>(task_from_wire(task_to_wire(t, ops), ops)).tenant, "");
  EXPECT_EQ(std::get<task>(task_from_wire(task_to_wire(t, ops), ops)).prio, priority::normal);
}

TEST(TaskWire, RefusesWhatThisProcessCannotRun) {
  const auto ops = fake_registry();
  const auto id = task_id::generate().to_string();
  auto field_of = [&](const std::string& text) {
    auto r = task_from_wire(text, ops);
    if (!std::holds_alternative<api_error>(r))
      return std::string{"<accepted>"};
    EXPECT_EQ(std::get<api_error>(r).code, "invalid_task_message");
    return std::get<api_error>(r).field;
  };
  EXPECT_EQ(field_of("not json"), "");
  EXPECT_EQ(field_of(R"({"v":2,"id":")" + id + R"(","type":"echo"})"), "v");
  EXPECT_EQ(field_of(R"({"v":1,"id":"nope","type":"echo"})"), "id");
  EXPECT_EQ(field_of(R"({"v":1,"id":")" + id + R"(","type":"legacy"})"), "type"); // disabled
  EXPECT_EQ(field_of(R"({"v":1,"id":")" + id + R"(","type":"missing"})"), "type");
  EXPECT_EQ(field_of(R"({"v":1,"id":")" + id + R"(","type":"wordcount","payload":3})"), "payload");
  EXPECT_EQ(field_of(R"({"v":1,"id":")" + id + R"(","type":"echo","params":[]})"), "params");
  EXPECT_EQ(field_of(R"({"v":1,"id":")" + id + R"(","type":"echo","max_attempts":0})"),
            "max_attempts");
  EXPECT_EQ(field_of(R"({"v":1,"id":")" + id + R"(","type":"echo","delay_ms":-1})"), "delay_ms");
  EXPECT_EQ(field_of(R"({"v":1,"id":")" + id + R"(","type":"echo"})"), "<accepted>");
}

// Found by task_wire_fuzzer: without "payload", a JSON op's payload was
// empty, and echo answered {"payload":}, which is not JSON.
TEST(TaskWire, AbsentPayloadOfAJsonOpIsNull) {
  const auto ops = fake_registry();
  const auto id = task_id::generate().to_string();
  auto r = task_from_wire(R"({"v":1,"id":")" + id + R"(","type":"echo"})", ops);
  ASSERT_TRUE(std::holds_alternative<task>(r));
  EXPECT_EQ(std::get<task>(r).payload, "null");
}

// A message from another process is input too: a number JSON cannot carry
// (it would come back out as Infinity) is refused, not decoded.
TEST(TaskWire, RefusesNumbersThatDoNotFitADouble) {
  const auto ops = fake_registry();
  const auto id = task_id::generate().to_string();
  for (const std::string& text :
       {R"({"v":1,"id":")" + id + R"(","type":"echo","payload":[1e400]})",
        R"({"v":1,"id":")" + id + R"(","type":"echo","params":{"x":-1e999}})"}) {
    auto r = task_from_wire(text, ops);
    ASSERT_TRUE(std::holds_alternative<api_error>(r)) << text;
    EXPECT_EQ(std::get<api_error>(r).code, "invalid_task_message");
    EXPECT_EQ(std::get<api_error>(r).message, "task message has a number out of range");
  }
}

} // namespace
} // namespace taskmesh
