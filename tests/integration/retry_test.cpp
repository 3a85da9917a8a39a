// File: tests/integration/retry_test.cpp
// The fail op's three paths through the retry policy (permanent -> failed,
// transient then ok -> succeeded, transient forever -> dead), with the
// attempts, backoff and timestamps a client can see. Counter deltas use
// fresh_stats() (a cluster pod's /stats is cached for up to a second).
#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

// Timestamps carry whole milliseconds, so a real gap of N ms can read as
// N - 1; every lower bound below allows for that.
constexpr std::int64_t truncation_ms = 1;

class Retry : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({"--retry-base-delay", "100ms", "--workers", "2"}); }
};

TEST_F(Retry, PermanentFailureIsFailedAfterOneAttempt) {
  const auto before = fresh_stats(client());
  const auto t = run_task(client(), R"({"type":"fail","payload":"x","params":{"transient":false}})");
  SCOPED_TRACE(json::serialize(t));
  EXPECT_EQ(str(t, "status"), "failed");
  EXPECT_EQ(num(t, "attempts"), 1);
  EXPECT_EQ(num(t, "max_attempts"), 3);
  EXPECT_FALSE(t.at("error").is_null());
  EXPECT_TRUE(t.at("result").is_null());
  EXPECT_TRUE(t.at("next_attempt_at").is_null());
  EXPECT_NO_THROW(rfc3339_ms(str(t, "finished_at")));
  const auto after = fresh_stats(client());
  EXPECT_EQ(num(after, "failed") - num(before, "failed"), 1);
  EXPECT_EQ(num(after, "retried") - num(before, "retried"), 0);
}

TEST_F(Retry, TransientTwiceThenSucceedsOnThirdAttempt) {
  const auto before = fresh_stats(client());
  const auto t = run_task(
    client(), R"({"type":"fail","payload":"x","params":{"transient":true,"times":2},"max_attempts":3})");
  SCOPED_TRACE(json::serialize(t));
  EXPECT_EQ(str(t, "status"), "succeeded");
  EXPECT_EQ(num(t, "attempts"), 3);
  EXPECT_EQ(t.at("result"), json::parse(R"({"attempt":3})"));
  EXPECT_TRUE(t.at("next_attempt_at").is_null());
  // Two waits: >= 50% of 100 ms, then >= 50% of 200 ms.
  // started_at is the first attempt's start (docs/api/openapi.yaml), also in
  // a cluster, where each redelivery runs on a worker that stamps its own.
  EXPECT_GE(ms_between(t, "started_at", "finished_at"), 150 - truncation_ms);
  const auto after = fresh_stats(client());
  EXPECT_EQ(num(after, "retried") - num(before, "retried"), 2);
  EXPECT_EQ(num(after, "succeeded") - num(before, "succeeded"), 1);
}

TEST_F(Retry, TransientForeverGoesDeadAfterMaxAttempts) {
  const auto before = fresh_stats(client());
  const auto t =
    run_task(client(), R"({"type":"fail","payload":"x","params":{"transient":true},"max_attempts":3})");
  SCOPED_TRACE(json::serialize(t));
  EXPECT_EQ(str(t, "status"), "dead");
  EXPECT_EQ(num(t, "attempts"), 3);
  EXPECT_FALSE(t.at("error").is_null());
  EXPECT_TRUE(t.at("result").is_null());
  EXPECT_TRUE(t.at("next_attempt_at").is_null());
  // started_at is the first attempt's start (docs/api/openapi.yaml), also in
  // a cluster, where each redelivery runs on a worker that stamps its own.
  EXPECT_GE(ms_between(t, "started_at", "finished_at"), 150 - truncation_ms);
  // 100% of 100 + 200 ms plus generous scheduling slack: backoff is bounded.
  EXPECT_LT(ms_between(t, "started_at", "finished_at"), 300 + 2000);
  const auto after = fresh_stats(client());
  EXPECT_EQ(num(after, "dead") - num(before, "dead"), 1);
  EXPECT_EQ(num(after, "retried") - num(before, "retried"), 2);
}

TEST_F(Retry, MaxAttemptsOneNeverRetries) {
  const auto t =
    run_task(client(), R"({"type":"fail","payload":"x","params":{"transient":true},"max_attempts":1})");
  SCOPED_TRACE(json::serialize(t));
  EXPECT_EQ(str(t, "status"), "dead");
  EXPECT_EQ(num(t, "attempts"), 1);
}

TEST_F(Retry, MaxAttemptsTenIsAllowed) {
  const auto t = run_task(
    client(), R"({"type":"fail","payload":"x","params":{"transient":true,"times":1},"max_attempts":10})");
  SCOPED_TRACE(json::serialize(t));
  EXPECT_EQ(str(t, "status"), "succeeded");
  EXPECT_EQ(num(t, "attempts"), 2);
  EXPECT_EQ(num(t, "max_attempts"), 10);
}

class RetryBackoff : public integration_test {};

TEST_F(RetryBackoff, NextAttemptIsVisibleDuringBackoff) {
  // A 1 s base delay makes the wait long enough to observe: the first
  // retry is due 500..1000 ms after the failed attempt.
  auto& s = start_own({"--retry-base-delay", "1s"});
  const auto id =
    submit(s.client(), R"({"type":"fail","payload":"x","params":{"transient":true,"times":1}})");
  json::object waiting;
  ASSERT_TRUE(wait_until(
    [&] {
      waiting = get_task(s.client(), id);
      return !waiting.at("next_attempt_at").is_null() || is_terminal(str(waiting, "status"));
    },
    3s))
    << json::serialize(waiting);
  SCOPED_TRACE("during backoff: " + json::serialize(waiting));
  ASSERT_FALSE(waiting.at("next_attempt_at").is_null());
  EXPECT_EQ(num(waiting, "attempts"), 1);
  EXPECT_FALSE(is_terminal(str(waiting, "status")));
  const auto due = ms_between(waiting, "started_at", "next_attempt_at");
  EXPECT_GE(due, 500 - truncation_ms);
  EXPECT_LE(due, 1000 + 250) << "the op fails at once, so due ~ started_at + wait";

  const auto done = wait_terminal(s.client(), id, 5s);
  SCOPED_TRACE("done: " + json::serialize(done));
  EXPECT_EQ(str(done, "status"), "succeeded");
  EXPECT_EQ(num(done, "attempts"), 2);
  EXPECT_TRUE(done.at("next_attempt_at").is_null());
  // started_at is the first attempt's start (docs/api/openapi.yaml), also in
  // a cluster, where each redelivery runs on a worker that stamps its own.
  EXPECT_EQ(str(done, "started_at"), str(waiting, "started_at"))
    << "started_at is the start of the first attempt";
  EXPECT_GE(ms_between(done, "started_at", "finished_at"), 500 - truncation_ms);
  EXPECT_GE(rfc3339_ms(str(done, "finished_at")), rfc3339_ms(str(waiting, "next_attempt_at")));
}

} // namespace
} // namespace taskmesh::it
