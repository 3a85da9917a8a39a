// File: tests/integration/shutdown_test.cpp
// SIGTERM: readiness turns 503 at once, new work is refused with 503,
// accepted tasks still finish (bounded by --drain-timeout), exit code 0.
// In a cluster the tasks a process holds are on the worker pods: the drain
// is checked there (the api pod holds none once JetStream stored them, and
// serves the records meanwhile), and every pod must exit 0.
#include <csignal>

#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

using test_support::taskmesh_process;

class Shutdown : public integration_test {
protected:
  // Cluster: the worker pod holding the only task in flight (its
  // taskmesh_tasks_in_flight gauge, refreshed once a second, is 1).
  taskmesh_process& holder_of_the_task(taskmesh_server& s) {
    auto& k = *s.cluster();
    taskmesh_process* found = nullptr;
    wait_until(
      [&] {
        for (std::size_t i = 0; i < k.worker_count() && !found; ++i) {
          const auto r = k.worker(i).client().get("/metrics");
          if (r.status == 200 && metric_sum(r.body, "taskmesh_tasks_in_flight") == 1)
            found = &k.worker(i);
        }
        return found != nullptr;
      },
      5s);
    if (!found)
      throw std::runtime_error("no worker pod reports the task in flight\n" + s.log_tail());
    return *found;
  }
};

// Cluster: SIGTERM to every worker pod. Each turns unready at once (or has
// already exited, holding nothing), runs what it holds to the end while the
// api serves the records, and exits 0 once its last task is done.
void drain_worker_pods(taskmesh_server& s) {
  auto& k = *s.cluster();
  const auto short_ids =
    submit_batch(s.client(), repeat_batch(R"({"payload":"s","params":{"delay_ms":500}})", 10));
  const auto long_id = submit(s.client(), R"({"payload":"l","params":{"delay_ms":1500}})");
  // Only what a pod has taken is its to drain: wait until no task is queued.
  for (const auto& id : short_ids)
    ASSERT_TRUE(wait_until([&] { return str(get_task(s.client(), id), "status") != "queued"; }, 3s))
      << id;
  wait_for_status(s.client(), long_id, "running", 3s);

  const auto term_at = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < k.worker_count(); ++i)
    k.worker(i).process().signal(SIGTERM);
  for (std::size_t i = 0; i < k.worker_count(); ++i) {
    SCOPED_TRACE(k.worker(i).name());
    auto& pod = k.worker(i);
    auto c = pod.new_client(2s);
    http_response ready;
    EXPECT_TRUE(wait_until(
      [&] {
        try {
          ready = c.get("/health/ready");
          return ready.status == 503;
        } catch (const std::exception&) {
          return !pod.process().running(); // exited: it held nothing to drain
        }
      },
      1s))
      << "readiness still " << ready.describe();
  }
  EXPECT_LT(ms_since(term_at), 1500);

  for (const auto& id : short_ids) {
    const auto t = wait_terminal(s.client(), id, 3s);
    EXPECT_EQ(str(t, "status"), "succeeded") << json::serialize(t);
  }
  for (std::size_t i = 0; i < k.worker_count(); ++i) {
    const auto code = k.worker(i).process().wait_exit(10s);
    ASSERT_TRUE(code.has_value()) << k.worker(i).name() << " still running 10 s after SIGTERM\n"
                                  << s.log_tail();
    EXPECT_EQ(*code, 0) << s.log_tail();
  }
  EXPECT_GE(ms_since(term_at), 1000)
    << "the pods exited before the 1500 ms task (" << long_id << ") could have finished";
  const auto long_task = get_task(s.client(), long_id);
  EXPECT_EQ(str(long_task, "status"), "succeeded") << json::serialize(long_task);
}

TEST_F(Shutdown, SigtermDrainsAcceptedTasksThenExitsZero) {
  auto& s = start_own({"--workers", "2"});
  if (s.is_cluster())
    return drain_worker_pods(s);
  const auto short_ids =
    submit_batch(s.client(), repeat_batch(R"({"payload":"s","params":{"delay_ms":500}})", 10));
  const auto long_id = submit(s.client(), R"({"payload":"l","params":{"delay_ms":1500}})");

  const auto term_at = std::chrono::steady_clock::now();
  s.process().signal(SIGTERM);
  auto c = s.new_client(2s);

  http_response ready;
  EXPECT_TRUE(wait_until(
    [&] {
      ready = c.get("/health/ready");
      return ready.status == 503;
    },
    1s))
    << "readiness still " << ready.describe();
  EXPECT_LT(ms_since(term_at), 1000);

  const auto refused = c.post_json("/task", R"({"payload":"too late"})");
  EXPECT_EQ(refused.status, 503u) << refused.describe();
  EXPECT_NO_THROW(refused.json().at("error").at("code").as_string()) << refused.describe();

  // The long task keeps the server up past the short ones: they must be
  // readable and finish while it drains.
  for (const auto& id : short_ids) {
    const auto t = wait_terminal(c, id, 3s);
    EXPECT_EQ(str(t, "status"), "succeeded") << json::serialize(t);
  }

  const auto code = s.process().wait_exit(10s);
  ASSERT_TRUE(code.has_value()) << "still running 10 s after SIGTERM\n" << s.log_tail();
  EXPECT_EQ(*code, 0) << s.log_tail();
  EXPECT_GE(ms_since(term_at), 1000)
    << "exited before the 1500 ms task (" << long_id << ") could have finished";
}

TEST_F(Shutdown, IdleServerExitsZeroPromptly) {
  auto& s = start_own({});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(s.stop_expecting_clean_exit(5s), "");
  EXPECT_LT(ms_since(start), 3000);
}

TEST_F(Shutdown, DrainTimeoutBoundsTheWait) {
  auto& s = start_own({"--drain-timeout", "500ms"});
  const auto id = submit(s.client(), R"({"payload":"x","params":{"delay_ms":20000}})");
  wait_for_status(s.client(), id, "running", 2s);
  // The processes that may hold the task: the only one, or every worker pod.
  std::vector<test_support::taskmesh_process*> holders{&s.front()};
  if (auto* k = s.cluster()) {
    holders.clear();
    for (std::size_t i = 0; i < k->worker_count(); ++i)
      holders.push_back(&k->worker(i));
  }
  const auto start = std::chrono::steady_clock::now();
  for (auto* p : holders)
    p->process().signal(SIGTERM);
  for (auto* p : holders) {
    SCOPED_TRACE(p->name());
    const auto code = p->process().wait_exit(6s);
    ASSERT_TRUE(code.has_value()) << "--drain-timeout 500ms ignored: still running after 6 s\n"
                                  << s.log_tail();
    EXPECT_EQ(*code, 0) << s.log_tail();
  }
  EXPECT_GE(ms_since(start), 400) << "did not wait for the drain";
}

// docs/operations.md: "A second SIGTERM/SIGINT during the drain kills the
// process at once". It used to be swallowed until --drain-timeout.
// In a cluster the signals go to the worker pod that holds the task.
TEST_F(Shutdown, SecondSignalDuringTheDrainExitsAtOnce) {
  for (const int second : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(second == SIGTERM ? "SIGTERM twice" : "SIGTERM then SIGINT");
    auto& s = start_own({"--drain-timeout", "60s"});
    const auto id = submit(s.client(), R"({"payload":"x","params":{"delay_ms":30000}})");
    wait_for_status(s.client(), id, "running", 2s);
    auto& holder = s.is_cluster() ? holder_of_the_task(s) : s.front();
    holder.process().signal(SIGTERM);
    auto c = holder.new_client(2s);
    ASSERT_TRUE(wait_until([&] { return c.get("/health/ready").status == 503; }, 2s))
      << "the drain did not start\n" << s.log_tail();
    const auto start = std::chrono::steady_clock::now();
    holder.process().signal(second);
    const auto code = holder.process().wait_exit(5s);
    ASSERT_TRUE(code.has_value()) << "second signal ignored: still draining after 5 s\n"
                                  << s.log_tail();
    EXPECT_EQ(*code, 128 + second) << s.log_tail();
    EXPECT_LT(ms_since(start), 5000);
    EXPECT_NE(s.log_tail().find("during the drain, exiting now"), std::string::npos) << s.log_tail();
  }
}

} // namespace
} // namespace taskmesh::it
