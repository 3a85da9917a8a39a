// File: tests/integration/backpressure_test.cpp
// A full queue answers 503 queue_full with Retry-After instead of growing,
// and the server accepts work again once the queue has room. Embedded:
// --queue-capacity bounds the process's backlog. Cluster: it bounds the
// JetStream task stream (max_msgs, discard new: messages stored and not yet
// acked, those being run included); tasks submitted one at a time are a
// message each, so the numbers are the same.
#include <algorithm>
#include <cctype>

#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

constexpr const char* slow_task = R"({"type":"echo","payload":"slow","params":{"delay_ms":2000}})";

class Backpressure : public integration_test {
protected:
  // Each test fills the queue, so each gets a fresh server.
  void SetUp() override {
    integration_test::SetUp();
    start_own({"--queue-capacity", "10", "--workers", "1", "--max-in-flight", "1"});
  }

  // Submits slow tasks until one is refused; returns how many were accepted
  // and the refusal (status 0 when none came within 100 tries).
  std::pair<int, http_response> fill() {
    for (int accepted = 0; accepted < 100; ++accepted) {
      auto r = client().post_json("/task", slow_task);
      if (r.status != 202)
        return {accepted, r};
    }
    return {100, http_response{}};
  }
};

TEST_F(Backpressure, FullQueueAnswers503ThenRecovers) {
  const auto [accepted, refusal] = fill();
  ASSERT_LT(accepted, 100) << "no refusal after 100 tasks with --queue-capacity 10";
  EXPECT_GE(accepted, 10) << "refused before the queue could be full";
  EXPECT_LE(accepted, 10 + 1 + 2) << "queue 10 + in flight 1 (+ slack for hand-over)";
  EXPECT_TRUE(is_error(refusal, 503, "queue_full"));
  const auto retry_after = refusal.header("Retry-After");
  ASSERT_FALSE(retry_after.empty()) << refusal.describe();
  EXPECT_TRUE(std::all_of(retry_after.begin(), retry_after.end(),
                          [](unsigned char c) { return std::isdigit(c); }))
    << "Retry-After must be delay-seconds: " << retry_after;

  // Nothing grows without bound while full.
  const auto s = get_stats(client());
  EXPECT_LE(num(s, "queue_backlog_length"), 10) << json::serialize(s);
  EXPECT_LE(num(s, "in_flight"), 1) << json::serialize(s);

  // The server keeps answering other routes while full.
  EXPECT_EQ(client().get("/health/ready").status, 200u);
  // A cluster api pod counts what the full stream refused.
  if (cluster_topology())
    EXPECT_GE(metric_sum(client().get("/metrics").body, "taskmesh_nats_publish_errors_total"), 1.0);

  // The first slow task ends after ~2 s and frees a slot.
  http_response last;
  EXPECT_TRUE(wait_until(
    [&] {
      last = client().post_json("/task", R"({"type":"echo","payload":"again"})");
      return last.status == 202;
    },
    8s, 50ms))
    << "no recovery: " << last.describe();
}

TEST_F(Backpressure, FullQueueRefusesBatchAsAWhole) {
  const auto [accepted, refusal] = fill();
  ASSERT_LT(accepted, 100);
  const auto before = num(fresh_stats(client()), "submitted");
  const auto r = client().post_json("/tasks", repeat_batch(R"({"payload":1})", 5));
  EXPECT_TRUE(is_error(r, 503, "queue_full"));
  EXPECT_TRUE(r.has_header("Retry-After")) << r.describe();
  EXPECT_EQ(num(fresh_stats(client()), "submitted"), before) << "a refused batch created tasks";
}

} // namespace
} // namespace taskmesh::it
