// File: tests/integration/delay_test.cpp
// params.delay_ms: honoured, shown as "running" while waiting, and waited
// without holding a worker thread (200 one-second delays on 2 workers
// finish in about one second, not 100).
#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

class Delay : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({"--workers", "2"}); }
};

TEST_F(Delay, DelayedTaskIsRunningWhileItWaits) {
  const auto id = submit(client(), R"({"type":"echo","payload":"late","params":{"delay_ms":1500}})");
  const auto running = wait_for_status(client(), id, "running", 1000ms);
  SCOPED_TRACE("while waiting: " + json::serialize(running));
  EXPECT_TRUE(running.at("result").is_null());
  EXPECT_TRUE(running.at("finished_at").is_null());
  EXPECT_NO_THROW(rfc3339_ms(str(running, "started_at")));

  const auto done = wait_terminal(client(), id, 5s);
  SCOPED_TRACE("done: " + json::serialize(done));
  EXPECT_EQ(str(done, "status"), "succeeded");
  EXPECT_EQ(num(done, "attempts"), 1);
  EXPECT_EQ(done.at("result"), json::parse(R"({"payload":"late"})"));
  // Whole-millisecond timestamps: a real 1500 ms gap can read as 1499.
  EXPECT_GE(ms_between(done, "started_at", "finished_at"), 1500 - 1);
}

TEST_F(Delay, DelaysDoNotBlockWorkerThreads) {
  const auto ids = submit_batch(
    client(), repeat_batch(R"({"type":"wordcount","payload":"a b","params":{"delay_ms":1000}})", 200));
  ASSERT_EQ(ids.size(), 200u);
  const auto submitted = std::chrono::steady_clock::now();
  // Serially that would be 100 s on 2 workers; concurrently about 1 s.
  std::size_t next = 0;
  ASSERT_TRUE(wait_until(
    [&] {
      while (next < ids.size() && is_terminal(str(get_task(client(), ids[next]), "status")))
        ++next;
      return next == ids.size();
    },
    5s))
    << next << " of 200 delayed tasks finished within 5 s; first unfinished: "
    << json::serialize(get_task(client(), ids[next]));
  EXPECT_LT(ms_since(submitted), 5000);
  for (std::size_t i : {0u, 99u, 199u}) {
    const auto t = get_task(client(), ids[i]);
    SCOPED_TRACE(json::serialize(t));
    EXPECT_EQ(str(t, "status"), "succeeded");
    EXPECT_EQ(t.at("result"), json::parse(R"({"words":2})"));
    EXPECT_GE(ms_between(t, "started_at", "finished_at"), 1000 - 1);
  }
}

TEST_F(Delay, ZeroDelayRunsAtOnce) {
  const auto t = run_task(client(), R"({"type":"uppercase","payload":"z","params":{"delay_ms":0}})");
  EXPECT_EQ(str(t, "status"), "succeeded") << json::serialize(t);
  EXPECT_EQ(t.at("result"), json::parse(R"({"text":"Z"})"));
}

} // namespace
} // namespace taskmesh::it
