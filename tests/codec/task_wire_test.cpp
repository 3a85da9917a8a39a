// File: tests/codec/task_wire_test.cpp
// The task's wire form (cluster mode's NATS message body): round trips keep
// every field, ops travel by name, and messages this process cannot run are
// refused with a precise error instead of being half-decoded.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

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
  EXPECT_EQ(boost::json::parse(r.params), boost::json::parse(t.params));
  EXPECT_EQ(r.idempotency_key, "order-42");
  EXPECT_EQ(r.traceparent, t.traceparent);
  EXPECT_EQ(r.tenant, "acme"); // GET on any pod answers only this tenant
  EXPECT_EQ(r.attempts, 0); // attempts are counted by deliveries, not carried
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
