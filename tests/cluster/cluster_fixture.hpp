// File: tests/cluster/cluster_fixture.hpp
// What the cluster crash tests share: a fixture owning one loopback cluster
// (tests/support/taskmesh_cluster.hpp: nats-server, redis-server, api and
// worker pods, all started and stopped by the test, by PID), and the checks
// every test ends with: each accepted id is readable and terminal, and the
// cluster-wide counters say each task was counted exactly once. Request and
// JSON helpers come from tests/integration/fixture.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/fixture.hpp"
#include "tests/support/taskmesh_cluster.hpp"
#include "transport/nats/connection.hpp"

namespace taskmesh::cluster_it {

using namespace taskmesh::it; // submit, get_task, num, str, wait_until, ...
using test_support::cluster_options;
using test_support::taskmesh_cluster;
using test_support::taskmesh_process;

// Options with `flags` for every taskmesh process, the rest default.
inline cluster_options with_flags(std::vector<std::string> flags) {
  cluster_options o;
  o.flags = std::move(flags);
  return o;
}

class ClusterTest : public ::testing::Test {
protected:
  // Starts the cluster; throws (failing the test, with every log) when a
  // piece does not come up.
  taskmesh_cluster& start(cluster_options options);
  taskmesh_cluster& cluster() { return *cluster_; }
  http_client& api() { return cluster_->api().client(); }

  // On failure: the log tail of every process of the cluster.
  void TearDown() override;

private:
  std::unique_ptr<taskmesh_cluster> cluster_;
};

// POSTs `n` copies of `task` (an object's JSON) in batches of up to `batch`
// and returns every id; throws unless each batch got 202.
std::vector<std::string> submit_many(http_client& c, std::string_view task, std::size_t n,
                                     std::size_t batch = 100);

// Polls GET /task/{id} for every id until all are terminal; returns the
// records by id. Throws naming the first unfinished task (and how many
// finished) when `timeout` passes first.
std::map<std::string, json::object> wait_all_terminal(http_client& c,
                                                      const std::vector<std::string>& ids,
                                                      std::chrono::milliseconds timeout);

// How many records have attempts >= 2 (delivered more than once).
std::size_t redelivered(const std::map<std::string, json::object>& records);

// Waits until /stats says the cluster is idle (queue_backlog_length and
// in_flight 0: every accepted task terminal and its message acked) with at
// least `terminal` tasks terminal, then returns a fresh read (past the
// pod's stats cache) for exact assertions. Throws on timeout.
json::object idle_stats(http_client& c, std::int64_t terminal,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The exactly-once check for `tasks` distinct accepted tasks that all end
// as `outcome`: submitted, <outcome>, worker_processed_count and
// valkey_keys_count equal `tasks`; the other outcomes 0; backlog and
// in_flight 0.
::testing::AssertionResult counted_once(const json::object& stats, std::int64_t tasks,
                                        std::string_view outcome = "succeeded");

// Sum of a metric over one process's /metrics; -1 when it has no sample or
// the process does not answer.
double pod_metric(taskmesh_process& p, std::string_view name);

// Waits until every process of the cluster answers /health/ready with
// `status`; on timeout returns a failure naming the ones that did not.
::testing::AssertionResult all_ready_status(taskmesh_cluster& k, unsigned status,
                                            std::chrono::milliseconds timeout);

// A NATS connection of the test's own to the cluster's server (JetStream
// admin: stream_info, publishing, reading the dead-letter stream).
std::unique_ptr<nats::connection> nats_admin(taskmesh_cluster& k);

} // namespace taskmesh::cluster_it
