// File: tests/codec/parse_task_test.cpp
// parse_task: defaults, every field's type and bounds, params handling
// (delay_ms extraction, the op's own check and its field paths), and the
// exact errors a client sees.
#include <string>

#include <gtest/gtest.h>

#include "tests/codec/fake_ops.hpp"

namespace taskmesh::codec_test {
namespace {

namespace json = boost::json;

class ParseTask : public ::testing::Test {
protected:
  task ok(std::string_view body, const codec_limits& limits = {}) {
    return value_of(parse_task_text(body, ops, limits));
  }
  api_error err(std::string_view body, const codec_limits& limits = {}) {
    return error_of(parse_task_text(body, ops, limits));
  }
  void expect_invalid(std::string_view body, std::string_view field, std::string_view message,
                      const codec_limits& limits = {}) {
    SCOPED_TRACE(std::string(body));
    const auto e = err(body, limits);
    EXPECT_EQ(e.status, 400u);
    EXPECT_EQ(e.code, "invalid_field");
    EXPECT_EQ(e.field, field);
    EXPECT_EQ(e.message, message);
  }

  op_registry ops = fake_registry();
};

// --- defaults and the fields filled in by the codec -------------------------

TEST_F(ParseTask, EmptyObjectGetsAllDefaults) {
  const timestamp before = now_us();
  const task t = ok("{}");
  const timestamp after = now_us();
  EXPECT_EQ(t.op, 1); // "echo"
  EXPECT_EQ(ops.name(t.op), "echo");
  EXPECT_EQ(t.payload, "null");
  EXPECT_EQ(t.params, "");
  EXPECT_EQ(t.prio, priority::normal);
  EXPECT_EQ(t.max_attempts, 3);
  EXPECT_EQ(t.attempts, 0);
  EXPECT_EQ(t.delay_ms, 0u);
  EXPECT_EQ(t.idempotency_key, "");
  EXPECT_EQ(t.started_at, 0);
  EXPECT_GE(t.submitted_at, before);
  EXPECT_LE(t.submitted_at, after);
  EXPECT_NE(t.id, task_id{});
  EXPECT_GE(t.id.unix_ms(), static_cast<std::uint64_t>(before / 1000));
  EXPECT_LE(t.id.unix_ms(), static_cast<std::uint64_t>(after / 1000));
}

TEST_F(ParseTask, EachTaskGetsItsOwnId) {
  EXPECT_NE(ok("{}").id, ok("{}").id);
}

TEST_F(ParseTask, AllFieldsSet) {
  const task t = ok(R"({"type":"replace","payload":"a-b","params":{"find":"-","replace":"+"},)"
                    R"("priority":"high","idempotency_key":"order-42","max_attempts":7})");
  EXPECT_EQ(t.op, 2);
  EXPECT_EQ(t.payload, "a-b");
  EXPECT_EQ(t.params, R"({"find":"-","replace":"+"})");
  EXPECT_EQ(t.prio, priority::high);
  EXPECT_EQ(t.idempotency_key, "order-42");
  EXPECT_EQ(t.max_attempts, 7);
  EXPECT_EQ(t.delay_ms, 0u);
}

TEST_F(ParseTask, NotAnObject) {
  for (const char* body : {"[]", "\"echo\"", "42", "null", "true"}) {
    expect_invalid(body, "", "task must be a JSON object");
  }
}

TEST_F(ParseTask, UnknownFieldIsNamed) {
  expect_invalid(R"({"type":"echo","colour":"red"})", "colour", "unknown field");
  // Near misses of real names are unknown too.
  expect_invalid(R"({"Type":"echo"})", "Type", "unknown field");
  expect_invalid(R"({"typo":"echo"})", "typo", "unknown field");
  expect_invalid(R"({"max_attempt":2})", "max_attempt", "unknown field");
  expect_invalid(R"({"delay_ms":5})", "delay_ms", "unknown field");
  expect_invalid(R"({"":1})", "", "unknown field");
}

// --- type -------------------------------------------------------------------

TEST_F(ParseTask, TypeSelectsTheOp) {
  EXPECT_EQ(ok(R"({"type":"wordcount","payload":"x"})").op, 0);
  EXPECT_EQ(ok(R"({"type":"echo"})").op, 1);
  EXPECT_EQ(ok(R"({"type":"strict"})").op, 3);
}

TEST_F(ParseTask, TypeMustBeAString) {
  for (const char* body : {R"({"type":1})", R"({"type":null})", R"({"type":["echo"]})",
                           R"({"type":true})", R"({"type":{}})"}) {
    expect_invalid(body, "type", "type must be a string");
  }
}

TEST_F(ParseTask, UnknownType) {
  const auto e = err(R"({"type":"frobnicate"})");
  EXPECT_EQ(e.status, 400u);
  EXPECT_EQ(e.code, "unknown_type");
  EXPECT_EQ(e.field, "type");
  EXPECT_EQ(e.message, "type \"frobnicate\" is not a known task type");
}

TEST_F(ParseTask, TypeIsCaseSensitiveAndNotEmpty) {
  EXPECT_EQ(err(R"({"type":"Echo"})").code, "unknown_type");
  const auto e = err(R"({"type":""})");
  EXPECT_EQ(e.code, "unknown_type");
  EXPECT_EQ(e.message, "type \"\" is not a known task type");
}

TEST_F(ParseTask, DisabledTypeIsUnknown) {
  const auto e = err(R"({"type":"legacy","payload":"x"})");
  EXPECT_EQ(e.code, "unknown_type");
  EXPECT_EQ(e.field, "type");
  EXPECT_EQ(e.message, "type \"legacy\" is not a known task type");
}

TEST_F(ParseTask, LongUnknownTypeIsNotEchoed) {
  const std::string body = R"({"type":")" + std::string(65, 'x') + R"("})";
  const auto e = err(body);
  EXPECT_EQ(e.code, "unknown_type");
  EXPECT_EQ(e.message, "type is not a known task type");
}

TEST_F(ParseTask, DefaultTypeMustExist) {
  op_registry only_text;
  only_text.add(wordcount_op);
  const auto e = error_of(parse_task_text("{}", only_text));
  EXPECT_EQ(e.code, "unknown_type");
  EXPECT_EQ(e.field, "type");
  EXPECT_EQ(e.message, "type \"echo\" is not a known task type");
}

// --- payload ----------------------------------------------------------------

TEST_F(ParseTask, TextPayloadIsStoredDecoded) {
  const task t = ok(R"({"type":"wordcount","payload":"line 1\nsaid \"hi\" \u00e9\\"})");
  EXPECT_EQ(t.payload, "line 1\nsaid \"hi\" \xc3\xa9\\");
}

TEST_F(ParseTask, TextPayloadMayContainNul) {
  const task t = ok(R"({"type":"wordcount","payload":"a\u0000b"})");
  EXPECT_EQ(t.payload, std::string("a\0b", 3));
}

TEST_F(ParseTask, MissingTextPayloadIsEmpty) {
  EXPECT_EQ(ok(R"({"type":"wordcount"})").payload, "");
}

TEST_F(ParseTask, TextPayloadMustBeAString) {
  for (const char* body :
       {R"({"type":"wordcount","payload":1})", R"({"type":"wordcount","payload":null})",
        R"({"type":"wordcount","payload":["a"]})", R"({"type":"wordcount","payload":{"a":1}})",
        R"({"type":"wordcount","payload":false})"}) {
    expect_invalid(body, "payload", "payload must be a JSON string for task type \"wordcount\"");
  }
}

TEST_F(ParseTask, JsonPayloadIsStoredSerialized) {
  EXPECT_EQ(ok(R"({"payload":{"a":[1,true,null],"b":"x\"y"}})").payload,
            R"({"a":[1,true,null],"b":"x\"y"})");
  EXPECT_EQ(ok(R"({"payload":"text"})").payload, R"("text")");
  EXPECT_EQ(ok(R"({"payload":-12})").payload, "-12");
  EXPECT_EQ(ok(R"({"payload":null})").payload, "null");
  EXPECT_EQ(ok(R"({"payload":[]})").payload, "[]");
}

TEST_F(ParseTask, FieldOrderDoesNotMatter) {
  // payload before type: still checked against the op named later.
  expect_invalid(R"({"payload":5,"type":"wordcount"})", "payload",
                 "payload must be a JSON string for task type \"wordcount\"");
  EXPECT_EQ(ok(R"({"payload":"a b","type":"wordcount"})").payload, "a b");
}

// --- params -----------------------------------------------------------------

TEST_F(ParseTask, ParamsMustBeAnObject) {
  for (const char* body : {R"({"params":[]})", R"({"params":"x"})", R"({"params":null})",
                           R"({"params":3})"}) {
    expect_invalid(body, "params", "params must be a JSON object");
  }
}

TEST_F(ParseTask, EmptyParamsAreStoredAsEmptyString) {
  EXPECT_EQ(ok(R"({"params":{}})").params, "");
}

TEST_F(ParseTask, DelayIsExtractedFromParams) {
  const task t = ok(R"({"type":"spy","params":{"a":1,"delay_ms":250,"b":[2]}})");
  EXPECT_EQ(t.delay_ms, 250u);
  EXPECT_EQ(t.params, R"({"a":1,"b":[2]})"); // client order kept
  EXPECT_EQ(spy_seen(), R"({"a":1,"b":[2]})"); // the op never sees delay_ms
}

TEST_F(ParseTask, DelayAloneLeavesNoParams) {
  const task t = ok(R"({"type":"spy","params":{"delay_ms":1000}})");
  EXPECT_EQ(t.delay_ms, 1000u);
  EXPECT_EQ(t.params, "");
  EXPECT_EQ(spy_seen(), "{}");
}

TEST_F(ParseTask, DelayWorksForOpsThatTakeNoParams) {
  const task t = ok(R"({"type":"strict","params":{"delay_ms":5}})");
  EXPECT_EQ(t.delay_ms, 5u);
  EXPECT_EQ(t.params, "");
}

TEST_F(ParseTask, DelayBounds) {
  codec_limits limits;
  limits.max_delay_ms = 500;
  EXPECT_EQ(ok(R"({"params":{"delay_ms":0}})", limits).delay_ms, 0u);
  EXPECT_EQ(ok(R"({"params":{"delay_ms":500}})", limits).delay_ms, 500u);
  expect_invalid(R"({"params":{"delay_ms":501}})", "params.delay_ms",
                 "params.delay_ms must be an integer from 0 to 500, got 501", limits);
  expect_invalid(R"({"params":{"delay_ms":-1}})", "params.delay_ms",
                 "params.delay_ms must be an integer from 0 to 500, got -1", limits);
  expect_invalid(R"({"params":{"delay_ms":18446744073709551615}})", "params.delay_ms",
                 "params.delay_ms must be an integer from 0 to 500, got 18446744073709551615",
                 limits);
}

TEST_F(ParseTask, DefaultDelayBoundIsOneMinute) {
  EXPECT_EQ(ok(R"({"params":{"delay_ms":60000}})").delay_ms, 60000u);
  expect_invalid(R"({"params":{"delay_ms":60001}})", "params.delay_ms",
                 "params.delay_ms must be an integer from 0 to 60000, got 60001");
}

TEST_F(ParseTask, DelayMustBeAnInteger) {
  for (const char* body :
       {R"({"params":{"delay_ms":"100"}})", R"({"params":{"delay_ms":1.5}})",
        R"({"params":{"delay_ms":100.0}})", R"({"params":{"delay_ms":1e2}})",
        R"({"params":{"delay_ms":true}})", R"({"params":{"delay_ms":null}})",
        R"({"params":{"delay_ms":[1]}})"}) {
    expect_invalid(body, "params.delay_ms", "params.delay_ms must be an integer from 0 to 60000");
  }
}

TEST_F(ParseTask, OpCheckSeesParamsAndReportsFieldPath) {
  expect_invalid(R"({"type":"replace","payload":"x","params":{"replace":"y"}})", "params.find",
                 "find must be a non-empty string");
  expect_invalid(R"({"type":"replace","payload":"x","params":{"find":"","replace":"y"}})",
                 "params.find", "find must be a non-empty string");
  expect_invalid(R"({"type":"replace","payload":"x","params":{"find":"a","replace":3}})",
                 "params.replace", "replace must be a string");
  expect_invalid(R"({"type":"replace","payload":"x","params":{"find":"a","replace":"b","n":1}})",
                 "params.n", "unknown parameter");
}

TEST_F(ParseTask, OpCheckRunsWithoutParams) {
  // Required params are enforced even when "params" is missing entirely.
  expect_invalid(R"({"type":"replace","payload":"x"})", "params.find",
                 "find must be a non-empty string");
}

TEST_F(ParseTask, OpCheckDoesNotSeeDelay) {
  // replace rejects unknown params; delay_ms must already be gone.
  const task t =
      ok(R"({"type":"replace","payload":"x","params":{"delay_ms":7,"find":"a","replace":"b"}})");
  EXPECT_EQ(t.delay_ms, 7u);
  EXPECT_EQ(t.params, R"({"find":"a","replace":"b"})");
}

TEST_F(ParseTask, OpErrorWithoutFieldNamesParams) {
  expect_invalid(R"({"type":"strict","params":{"x":1}})", "params", "strict takes no params");
}

TEST_F(ParseTask, BadDelayIsReportedBeforeTheOpCheck) {
  expect_invalid(R"({"type":"replace","payload":"x","params":{"delay_ms":-5}})", "params.delay_ms",
                 "params.delay_ms must be an integer from 0 to 60000, got -5");
}

// --- priority ---------------------------------------------------------------

TEST_F(ParseTask, Priority) {
  EXPECT_EQ(ok(R"({"priority":"high"})").prio, priority::high);
  EXPECT_EQ(ok(R"({"priority":"normal"})").prio, priority::normal);
  for (const char* body : {R"({"priority":"low"})", R"({"priority":"HIGH"})",
                           R"({"priority":""})", R"({"priority":1})", R"({"priority":null})",
                           R"({"priority":true})", R"({"priority":["high"]})"}) {
    expect_invalid(body, "priority", "priority must be \"high\" or \"normal\"");
  }
}

// --- idempotency_key --------------------------------------------------------

TEST_F(ParseTask, IdempotencyKeyBounds) {
  codec_limits limits;
  limits.max_idempotency_key = 8;
  EXPECT_EQ(ok(R"({"idempotency_key":"k"})", limits).idempotency_key, "k");
  EXPECT_EQ(ok(R"({"idempotency_key":"12345678"})", limits).idempotency_key, "12345678");
  expect_invalid(R"({"idempotency_key":"123456789"})", "idempotency_key",
                 "idempotency_key must be 1 to 8 bytes long, got 9", limits);
  expect_invalid(R"({"idempotency_key":""})", "idempotency_key",
                 "idempotency_key must be 1 to 8 bytes long, got 0", limits);
}

TEST_F(ParseTask, IdempotencyKeyLengthIsInBytes) {
  codec_limits limits;
  limits.max_idempotency_key = 4;
  // Two characters, four bytes: fits exactly; three characters do not.
  EXPECT_EQ(ok(R"({"idempotency_key":"\u00e9\u00e9"})", limits).idempotency_key,
            "\xc3\xa9\xc3\xa9");
  expect_invalid(R"({"idempotency_key":"\u00e9\u00e9\u00e9"})", "idempotency_key",
                 "idempotency_key must be 1 to 4 bytes long, got 6", limits);
}

TEST_F(ParseTask, DefaultIdempotencyKeyBoundIs128) {
  EXPECT_EQ(ok(R"({"idempotency_key":")" + std::string(128, 'k') + R"("})").idempotency_key.size(),
            128u);
  expect_invalid(R"({"idempotency_key":")" + std::string(129, 'k') + R"("})", "idempotency_key",
                 "idempotency_key must be 1 to 128 bytes long, got 129");
}

TEST_F(ParseTask, IdempotencyKeyMustBeAString) {
  for (const char* body : {R"({"idempotency_key":12})", R"({"idempotency_key":null})",
                           R"({"idempotency_key":["k"]})", R"({"idempotency_key":false})"}) {
    expect_invalid(body, "idempotency_key", "idempotency_key must be a string");
  }
}

// --- max_attempts -----------------------------------------------------------

TEST_F(ParseTask, MaxAttemptsBounds) {
  EXPECT_EQ(ok(R"({"max_attempts":1})").max_attempts, 1);
  EXPECT_EQ(ok(R"({"max_attempts":10})").max_attempts, 10);
  expect_invalid(R"({"max_attempts":0})", "max_attempts",
                 "max_attempts must be an integer from 1 to 10, got 0");
  expect_invalid(R"({"max_attempts":11})", "max_attempts",
                 "max_attempts must be an integer from 1 to 10, got 11");
  expect_invalid(R"({"max_attempts":-3})", "max_attempts",
                 "max_attempts must be an integer from 1 to 10, got -3");
  expect_invalid(R"({"max_attempts":257})", "max_attempts",
                 "max_attempts must be an integer from 1 to 10, got 257");
}

TEST_F(ParseTask, MaxAttemptsMustBeAnInteger) {
  for (const char* body : {R"({"max_attempts":3.0})", R"({"max_attempts":2.5})",
                           R"({"max_attempts":"3"})", R"({"max_attempts":true})",
                           R"({"max_attempts":null})", R"({"max_attempts":[3]})"}) {
    expect_invalid(body, "max_attempts", "max_attempts must be an integer from 1 to 10");
  }
}

// --- values built in code, not parsed ----------------------------------------

TEST_F(ParseTask, AcceptsValuesBuiltInCode) {
  json::value v = {{"type", "wordcount"}, {"payload", "one two"}, {"max_attempts", 2u}};
  const task t = value_of(parse_task(v, ops, {}));
  EXPECT_EQ(t.op, 0);
  EXPECT_EQ(t.payload, "one two");
  EXPECT_EQ(t.max_attempts, 2); // uint64 kind works like int64
}

} // namespace
} // namespace taskmesh::codec_test
