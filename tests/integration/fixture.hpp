// File: tests/integration/fixture.hpp
// What every integration test file shares: the fixture that owns the
// server(s) a test talks to, and helpers for the API's recurring steps
// (submit, read a task, wait for a status, read /stats, check an error
// body). Helpers that return values throw std::runtime_error quoting the
// HTTP response when the server answers something else; GoogleTest reports
// that as a failure with the whole message.
//
// Topologies: the same tests run against one embedded process and, with
// TASKMESH_IT_TOPOLOGY=cluster (CTest prefix "cluster."), against an api
// pod plus two worker pods with their own nats-server and redis-server
// (tests/support/taskmesh_server.hpp). A test that cannot hold in a cluster
// says why with EMBEDDED_ONLY("reason"); where only /stats semantics differ,
// the test adapts its assertion instead (cluster_topology()).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/support/http_client.hpp"
#include "tests/support/taskmesh_server.hpp"
#include "tests/support/wait.hpp"

#ifndef TASKMESH_BINARY
#error "TASKMESH_BINARY must name the taskmesh executable (see tests/integration/CMakeLists.txt)"
#endif

namespace taskmesh::it {

namespace json = boost::json;
using namespace std::chrono_literals;
using test_support::env_list;
using test_support::http_client;
using test_support::http_response;
using test_support::taskmesh_server;
using test_support::wait_until;

inline std::string binary() { return TASKMESH_BINARY; }

// True when this run tests the cluster topology (TASKMESH_IT_TOPOLOGY).
bool cluster_topology();

// Skips the test in the cluster topology, naming why it cannot hold there.
// Use at the top of a test body or SetUp(), before starting a server.
#define EMBEDDED_ONLY(why)                                                                         \
  do {                                                                                             \
    if (::taskmesh::it::cluster_topology())                                                        \
      GTEST_SKIP() << "embedded only: " << why;                                                    \
  } while (false)

// --- fixture -------------------------------------------------------------------

// A suite whose tests all use the same flags starts one server in its own
// SetUpTestSuite with start_shared(flags); a test that needs other flags
// calls start_own(flags). On failure, TearDown prints the log tail of every
// server the test used.
class integration_test : public ::testing::Test {
protected:
  static void start_shared(std::vector<std::string> flags, env_list env = {});
  static void TearDownTestSuite();

  void SetUp() override;
  void TearDown() override;

  // The test's own server, else the suite's.
  taskmesh_server& server();
  http_client& client() { return server().client(); }

  // Starts a server just for this test; throws (failing the test, with the
  // log) when it does not become ready.
  taskmesh_server& start_own(std::vector<std::string> flags, env_list env = {});

private:
  static inline std::unique_ptr<taskmesh_server> shared_;
  static inline std::string shared_error_;
  static inline bool shared_wanted_ = false;
  std::unique_ptr<taskmesh_server> own_;
};

// --- requests ------------------------------------------------------------------

// POST /task; returns the id. Throws unless 202 with a string id.
std::string submit(http_client& c, std::string_view body);

// POST /tasks; returns the ids. Throws unless 202 with an array of ids.
std::vector<std::string> submit_batch(http_client& c, std::string_view body);

// GET /task/{id} as an object; throws unless 200.
json::object get_task(http_client& c, std::string_view id);

// GET /stats as an object; throws unless 200. In the cluster topology the
// pod answers from a cache that is up to stats_cache old (below).
json::object get_stats(http_client& c);

// How old a cluster pod's /stats may be: the cluster stats actor reads
// Valkey and JetStream at most once per cluster_stats_config::cache
// (actors/cluster_stats.hpp, docs/cluster.md "read at most once a second per pod").
inline constexpr std::chrono::milliseconds stats_cache{1000};

// GET /stats reflecting everything that happened before the call, for
// exact before/after comparisons. Embedded: get_stats(). Cluster: first
// waits until stats_cache has passed since the last /stats answer this
// process got from that port (the pod's cache is at most that old, so the
// next read refreshes it), then get_stats(). Waiting out a documented cache
// period is not a guess at how long the server needs.
json::object fresh_stats(http_client& c);
// The cluster branch of fresh_stats(), whatever the topology variable says
// (tests/cluster talks to cluster pods without setting it).
json::object fresh_cluster_stats(http_client& c);

// Polls GET /task/{id} until `status` (or any terminal status when `status`
// is "terminal") and returns the task; throws with the last body on timeout.
json::object wait_for_status(http_client& c, std::string_view id, std::string_view status,
                             std::chrono::milliseconds timeout = 10s);
inline json::object wait_terminal(http_client& c, std::string_view id,
                                  std::chrono::milliseconds timeout = 10s) {
  return wait_for_status(c, id, "terminal", timeout);
}

// Submits one task, waits until it is terminal, and returns it.
json::object run_task(http_client& c, std::string_view body,
                      std::chrono::milliseconds timeout = 10s);

// A JSON array of `n` copies of `task` (an object's JSON text).
std::string repeat_batch(std::string_view task, std::size_t n);

// --- reading JSON ----------------------------------------------------------------

// obj[key] as an integer (int64, uint64 or integral double); throws naming
// the key and quoting the object when it is missing or not a number.
std::int64_t num(const json::object& obj, std::string_view key);
double real(const json::object& obj, std::string_view key);
std::string str(const json::object& obj, std::string_view key);
const json::object& sub(const json::object& obj, std::string_view key);

// A status no task leaves: succeeded, failed, dead or cancelled.
bool is_terminal(std::string_view status);

// Sum of every sample of `name` (any labels) in Prometheus text; -1 when
// there is no sample at all.
double metric_sum(const std::string& text, std::string_view name);

// Milliseconds since the epoch of an RFC 3339 UTC timestamp with exactly
// three fraction digits ("2026-11-22T02:12:15.123Z"); throws otherwise.
std::int64_t rfc3339_ms(std::string_view text);

// finished - started of two timestamp fields of a task, in ms.
std::int64_t ms_between(const json::object& task, std::string_view from, std::string_view to);

// Milliseconds since `start` on the steady clock (printable in assertions).
inline std::int64_t ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
    .count();
}

// --- assertions ------------------------------------------------------------------

// The documented error: `status`, JSON body {"error":{"code":code,
// "message":<non-empty string>}}, "field" equal to `field` when given, and
// absent when `field` is std::nullopt and `field_absent` is set.
::testing::AssertionResult is_error(const http_response& r, unsigned status, std::string_view code,
                                    std::optional<std::string_view> field = std::nullopt,
                                    bool field_absent = false);

// POSTs a valid task and expects 202: "the server keeps serving".
::testing::AssertionResult still_serving(http_client& c);

} // namespace taskmesh::it
