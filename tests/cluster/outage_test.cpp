// File: tests/cluster/outage_test.cpp
// NATS or Valkey goes away and comes back while tasks are queued or running.
// Every pod's readiness follows the dependency (503 while it is down, 200
// again without a restart of ours), submissions are refused with 503 rather
// than half-accepted, and every task accepted before the outage finishes,
// stored and counted once.
#include <iostream>

#include "tests/cluster/cluster_fixture.hpp"

namespace taskmesh::cluster_it {
namespace {

constexpr std::size_t tasks = 400;
// Each worker pod runs at most 8 at a time, 100 ms each: 400 tasks take
// about 2.5 s, so most of them wait in the stream when the outage begins.
const std::vector<std::string> slow_drain{"--ack-wait", "2s", "--max-in-flight", "8"};
constexpr const char* delayed_echo = R"({"type":"echo","payload":"o","params":{"delay_ms":100}})";

// /health names the dependency that is down.
::testing::AssertionResult health_says(http_client& c, std::string_view dependency,
                                       std::string_view state) {
  const auto r = c.get("/health");
  const auto v = r.json().as_object();
  const auto got = str(sub(v, "checks"), dependency);
  if (got == state)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "/health checks." << dependency << " is " << got
                                       << ", want " << state << ": " << r.describe();
}

// A submission while a dependency is down: 503 with Retry-After, not a 202
// for a task that is not stored, and not a 5xx of another kind.
::testing::AssertionResult refused_while_down(http_client& c) {
  const auto r = c.post_json("/task", R"({"type":"echo","payload":"during the outage"})");
  if (r.status == 503 && r.has_header("Retry-After"))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "POST /task during the outage: " << r.describe();
}

class Outage : public ClusterTest {};

TEST_F(Outage, NatsRestartKeepsQueuedTasks) {
  start(with_flags(slow_drain));
  const auto ids = submit_many(api(), delayed_echo, tasks);
  ASSERT_FALSE(is_terminal(str(get_task(api(), ids.back()), "status")))
    << "nothing was left in the stream when NATS stopped";

  cluster().nats().stop(); // SIGTERM: the file store is flushed, same dir on restart
  ASSERT_TRUE(all_ready_status(cluster(), 503, 10s));
  EXPECT_TRUE(health_says(api(), "nats", "unreachable"));
  EXPECT_TRUE(refused_while_down(api()));

  cluster().nats().start();
  ASSERT_TRUE(all_ready_status(cluster(), 200, 20s));
  EXPECT_TRUE(health_says(api(), "nats", "ok"));

  const auto records = wait_all_terminal(api(), ids, 60s);
  for (const auto& [id, r] : records)
    ASSERT_EQ(str(r, "status"), "succeeded") << json::serialize(r);
  // The refused submission created nothing.
  EXPECT_TRUE(counted_once(idle_stats(api(), tasks), tasks));
}

TEST_F(Outage, ValkeyRestartTasksStillFinish) {
  auto options = with_flags(slow_drain);
  options.redis_persistence = test_support::redis_persistence::aof; // records and counters survive the restart
  start(std::move(options));
  const auto ids = submit_many(api(), delayed_echo, tasks);
  // Some results are written before the outage, the rest after it.
  ASSERT_TRUE(wait_until([&] { return str(get_task(api(), ids[20]), "status") == "succeeded"; },
                         10s));
  ASSERT_FALSE(is_terminal(str(get_task(api(), ids.back()), "status")))
    << "nothing was left to run when Valkey stopped";

  cluster().redis().stop(); // SIGTERM: the AOF is flushed, same dir on restart
  ASSERT_TRUE(all_ready_status(cluster(), 503, 10s));
  EXPECT_TRUE(health_says(api(), "valkey", "unreachable"));
  EXPECT_TRUE(refused_while_down(api()));

  cluster().redis().start();
  ASSERT_TRUE(all_ready_status(cluster(), 200, 20s));

  // Valkey down is a transient failure for the workers: no task may end
  // failed or dead because its result could not be written for a while.
  const auto records = wait_all_terminal(api(), ids, 60s);
  for (const auto& [id, r] : records)
    ASSERT_EQ(str(r, "status"), "succeeded") << json::serialize(r);
  std::cout << redelivered(records) << " of " << tasks << " tasks were delivered again\n";
  EXPECT_TRUE(counted_once(idle_stats(api(), tasks), tasks));
}

// No load: each dependency goes away and returns in turn; every pod follows
// and the cluster runs a task end to end afterwards.
TEST_F(Outage, ReadinessFollowsNatsAndValkey) {
  start({});
  ASSERT_TRUE(all_ready_status(cluster(), 200, 5s));

  cluster().nats().stop();
  EXPECT_TRUE(all_ready_status(cluster(), 503, 10s));
  for (auto* p : cluster().processes())
    EXPECT_EQ(p->client().get("/health/ready").body, R"({"status":"dependency_unavailable"})")
      << p->name();
  EXPECT_TRUE(health_says(api(), "nats", "unreachable"));
  EXPECT_TRUE(health_says(api(), "valkey", "ok"));
  cluster().nats().start();
  EXPECT_TRUE(all_ready_status(cluster(), 200, 20s));
  EXPECT_EQ(str(run_task(api(), R"({"type":"wordcount","payload":"after nats"})", 10s), "status"),
            "succeeded");

  cluster().redis().stop();
  EXPECT_TRUE(all_ready_status(cluster(), 503, 10s));
  EXPECT_TRUE(health_says(api(), "valkey", "unreachable"));
  EXPECT_TRUE(health_says(api(), "nats", "ok"));
  cluster().redis().start(); // empty again: --save "" and no AOF
  EXPECT_TRUE(all_ready_status(cluster(), 200, 20s));
  EXPECT_EQ(str(run_task(api(), R"({"type":"wordcount","payload":"after valkey"})", 10s),
                "status"),
            "succeeded");
}

} // namespace
} // namespace taskmesh::cluster_it
