// File: tests/integration/shutdown_test.cpp
// SIGTERM: readiness turns 503 at once, new work is refused with 503,
// accepted tasks still finish (bounded by --drain-timeout), exit code 0.
// In a cluster the tasks a process holds are on the worker pods: the drain
// bound is checked there, and every pod must exit 0.
#include <csignal>

#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

class Shutdown : public integration_test {};

TEST_F(Shutdown, SigtermDrainsAcceptedTasksThenExitsZero) {
  EMBEDDED_ONLY("drains one process that both accepted and runs the tasks and serves their "
                "records meanwhile; a cluster api pod holds no tasks once JetStream stored them");
  auto& s = start_own({"--workers", "2"});
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
TEST_F(Shutdown, SecondSignalDuringTheDrainExitsAtOnce) {
  EMBEDDED_ONLY("the process holding the task must be the one signalled; the api pod holds none");
  for (const int second : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(second == SIGTERM ? "SIGTERM twice" : "SIGTERM then SIGINT");
    auto& s = start_own({"--drain-timeout", "60s"});
    const auto id = submit(s.client(), R"({"payload":"x","params":{"delay_ms":30000}})");
    wait_for_status(s.client(), id, "running", 2s);
    s.process().signal(SIGTERM);
    auto c = s.new_client(2s);
    ASSERT_TRUE(wait_until([&] { return c.get("/health/ready").status == 503; }, 2s))
      << "the drain did not start\n" << s.log_tail();
    const auto start = std::chrono::steady_clock::now();
    s.process().signal(second);
    const auto code = s.process().wait_exit(5s);
    ASSERT_TRUE(code.has_value()) << "second signal ignored: still draining after 5 s\n"
                                  << s.log_tail();
    EXPECT_EQ(*code, 128 + second) << s.log_tail();
    EXPECT_LT(ms_since(start), 5000);
    EXPECT_NE(s.log_tail().find("during the drain, exiting now"), std::string::npos) << s.log_tail();
  }
}

} // namespace
} // namespace taskmesh::it
