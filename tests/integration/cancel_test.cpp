// File: tests/integration/cancel_test.cpp
// DELETE /task/{id}: a queued or delayed task becomes `cancelled`, never
// runs, is counted once in /stats and /metrics, and its event stream ends
// with the cancelled record; a finished task answers 409 not_cancellable
// with its record; unknown ids 404.
#include "tests/integration/fixture.hpp"
#include "tests/support/sse_client.hpp"

namespace taskmesh::it {
namespace {

class Cancel : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({"--workers", "2"}); }
};

TEST_F(Cancel, DelayedTaskIsCancelledAndNeverRuns) {
  const auto before = fresh_stats(client());
  const auto id = submit(client(), R"({"type":"wordcount","payload":"a b","params":{"delay_ms":1500}})");
  test_support::sse_client events{server().port(), "/task/" + id + "/events"};
  ASSERT_EQ(events.head().status, 200u);

  const auto r = client().request("DELETE", "/task/" + id);
  ASSERT_EQ(r.status, 200u) << r.describe();
  const auto cancelled = r.json().as_object();
  EXPECT_EQ(str(cancelled, "status"), "cancelled");
  EXPECT_FALSE(cancelled.at("finished_at").is_null());
  EXPECT_TRUE(cancelled.at("result").is_null());
  EXPECT_EQ(get_task(client(), id), cancelled);

  // The stream ends with the cancelled record.
  const auto rest = events.rest();
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.back().json(), cancelled);

  // Well after the delay would have run out: still cancelled, no result,
  // and the task left the worker without running.
  ASSERT_TRUE(wait_until([&] { return num(fresh_stats(client()), "in_flight") == 0; }, 10s));
  const auto later = get_task(client(), id);
  EXPECT_EQ(str(later, "status"), "cancelled");
  EXPECT_TRUE(later.at("result").is_null());
  const auto after = fresh_stats(client());
  EXPECT_EQ(num(after, "cancelled") - num(before, "cancelled"), 1);
  EXPECT_EQ(num(after, "succeeded"), num(before, "succeeded"));
  // Per type too (a fresh cluster lists a type only once it has counters).
  auto wordcount_cancelled = [](const json::object& stats) -> std::int64_t {
    const auto& by_type = sub(stats, "by_type");
    return by_type.contains("wordcount") ? num(sub(by_type, "wordcount"), "cancelled") : 0;
  };
  EXPECT_EQ(wordcount_cancelled(after) - wordcount_cancelled(before), 1);
}

// A task cancelled while it waits out a long delay gives its in-flight slot
// back at once, not when the delay would have ended: with one slot per
// worker process, a task submitted after the cancels runs right away.
TEST_F(Cancel, CancelledDelayedTaskFreesItsSlotAtOnce) {
  auto& own = start_own({"--workers", "1", "--max-in-flight", "1"});
  std::vector<std::string> blockers;
  for (int i = 0; i < 2; ++i) // one slot each on two cluster worker pods
    blockers.push_back(submit(own.client(), R"({"type":"echo","payload":"x","params":{"delay_ms":60000}})"));
  ASSERT_TRUE(wait_until([&] { return str(get_task(own.client(), blockers[0]), "status") == "running"; }, 10s));
  for (const auto& id : blockers)
    ASSERT_EQ(own.client().request("DELETE", "/task/" + id).status, 200u) << id;
  const auto started = std::chrono::steady_clock::now();
  const auto next = submit(own.client(), R"({"type":"uppercase","payload":"go"})");
  EXPECT_EQ(str(wait_terminal(own.client(), next, 15s), "status"), "succeeded")
    << "a cancelled delayed task still held the in-flight slot";
  EXPECT_LT(ms_since(started), 15'000);
  for (const auto& id : blockers)
    EXPECT_EQ(str(get_task(own.client(), id), "status"), "cancelled");
}

TEST_F(Cancel, FinishedTaskIsNotCancellable) {
  const auto t = run_task(client(), R"({"type":"uppercase","payload":"x"})");
  const auto r = client().request("DELETE", "/task/" + str(t, "id"));
  EXPECT_TRUE(is_error(r, 409, "not_cancellable"));
  EXPECT_EQ(sub(r.json().as_object(), "task"), t);
  // Twice cancelled: the second is a 409 as well.
  const auto id = submit(client(), R"({"type":"echo","payload":"x","params":{"delay_ms":5000}})");
  ASSERT_EQ(client().request("DELETE", "/task/" + id).status, 200u);
  const auto again = client().request("DELETE", "/task/" + id);
  EXPECT_TRUE(is_error(again, 409, "not_cancellable"));
  EXPECT_EQ(str(sub(again.json().as_object(), "task"), "status"), "cancelled");
}

TEST_F(Cancel, UnknownTaskIs404) {
  EXPECT_TRUE(is_error(client().request("DELETE", "/task/01a2011d-0000-7000-8000-000000000000"), 404,
                       "not_found"));
  EXPECT_TRUE(is_error(client().request("DELETE", "/task/nope"), 404, "not_found"));
  EXPECT_TRUE(still_serving(client()));
}

TEST_F(Cancel, CancelledCountsInMetrics) {
  const auto id = submit(client(), R"({"type":"sha256","payload":"x","params":{"delay_ms":5000}})");
  ASSERT_EQ(client().request("DELETE", "/task/" + id).status, 200u);
  double total = 0;
  for (auto port : server().ports()) {
    test_support::http_client c{port};
    const auto text = c.get("/metrics").body;
    const std::string series = "taskmesh_tasks_finished_total{outcome=\"cancelled\",type=\"sha256\"}";
    const auto at = text.find(series);
    if (at != std::string::npos)
      total += std::stod(text.substr(at + series.size() + 1));
  }
  EXPECT_GE(total, 1);
}

} // namespace
} // namespace taskmesh::it
