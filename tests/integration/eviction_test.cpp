// File: tests/integration/eviction_test.cpp
// Bounded record storage: --max-records drops the oldest records and
// --result-ttl expires finished ones, and /stats valkey_keys_count follows.
// --max-records is the embedded store's bound; the cluster's Valkey store
// bounds records by --result-ttl only, so every cluster pod refuses the flag
// at start-up (exit 2 naming it), and that is what the --max-records tests
// check in the cluster topology.
#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

class Eviction : public integration_test {
protected:
  // Cluster topology: starts a cluster with `flags` and expects it to fail
  // because the pods refuse --max-records; returns whether it was that
  // topology (then the test is done).
  bool cluster_refuses(std::vector<std::string> flags) {
    if (!cluster_topology())
      return false;
    try {
      start_own(std::move(flags));
      ADD_FAILURE() << "a cluster started with --max-records";
    } catch (const std::exception& e) {
      const std::string why = e.what();
      EXPECT_NE(why.find("--max-records"), std::string::npos) << why;
      EXPECT_NE(why.find("cluster mode"), std::string::npos) << why;
    }
    return true;
  }
};

TEST_F(Eviction, MaxRecordsKeepsOnlyTheNewest) {
  if (cluster_refuses({"--max-records", "5"}))
    return;
  auto& s = start_own({"--max-records", "5"});
  std::vector<std::string> ids;
  // One at a time, each finished before the next is sent: records finish
  // (and become evictable) in submission order, whatever the scheduler does
  // with the workers.
  for (int i = 0; i < 20; ++i) {
    ids.push_back(submit(s.client(), R"({"payload":)" + std::to_string(i) + "}"));
    wait_for_status(s.client(), ids.back(), "succeeded");
  }
  json::object stats;
  ASSERT_TRUE(wait_until(
    [&] {
      stats = get_stats(s.client());
      return num(stats, "succeeded") == 20;
    },
    10s))
    << json::serialize(stats);
  stats = get_stats(s.client());
  EXPECT_LE(num(stats, "valkey_keys_count"), 5) << json::serialize(stats);
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE("task #" + std::to_string(i) + " " + ids[i]);
    EXPECT_TRUE(is_error(s.client().get("/task/" + ids[i]), 404, "not_found"));
  }
  const auto newest = get_task(s.client(), ids.back());
  EXPECT_EQ(newest.at("result"), json::parse(R"({"payload":19})")) << json::serialize(newest);
}

TEST_F(Eviction, MaxRecordsNeverDropsUnfinishedTasks) {
  // Only finished records are evictable: a client polling a task that is
  // still running must never get 404, however many others finish meanwhile.
  if (cluster_refuses({"--max-records", "5"}))
    return;
  auto& s = start_own({"--max-records", "5"});
  const auto slow =
    submit_batch(s.client(), repeat_batch(R"({"payload":"slow","params":{"delay_ms":1000}})", 8));
  for (int i = 0; i < 20; ++i)
    submit(s.client(), R"({"payload":"quick"})");
  for (const auto& id : slow) {
    SCOPED_TRACE(id);
    const auto r = s.client().get("/task/" + id);
    EXPECT_EQ(r.status, 200u) << r.describe();
  }
  for (const auto& id : slow) // succeeded, or already evicted after finishing
    EXPECT_TRUE(wait_until([&] {
      const auto r = s.client().get("/task/" + id);
      return r.status == 404 || is_terminal(str(r.json().as_object(), "status"));
    }, 5s)) << id;
  json::object stats;
  EXPECT_TRUE(wait_until(
    [&] {
      stats = get_stats(s.client());
      return num(stats, "succeeded") == 28 && num(stats, "valkey_keys_count") <= 5;
    },
    5s))
    << json::serialize(stats);
}

TEST_F(Eviction, ResultTtlExpiresFinishedRecords) {
  auto& s = start_own({"--result-ttl", "300ms"});
  const auto id = submit(s.client(), R"({"type":"wordcount","payload":"a b c"})");
  const auto done = wait_terminal(s.client(), id, 5s); // readable right after finishing
  EXPECT_EQ(str(done, "status"), "succeeded") << json::serialize(done);

  http_response r;
  EXPECT_TRUE(wait_until(
    [&] {
      r = s.client().get("/task/" + id);
      return r.status == 404;
    },
    5s))
    << "record still there 5 s after a 300 ms ttl: " << r.describe();
  EXPECT_TRUE(is_error(r, 404, "not_found"));
  json::object stats;
  EXPECT_TRUE(wait_until(
    [&] {
      stats = get_stats(s.client());
      return num(stats, "valkey_keys_count") == 0;
    },
    5s))
    << json::serialize(stats);
  // Expiry removes records, not history.
  EXPECT_EQ(num(stats, "succeeded"), 1) << json::serialize(stats);
}

TEST_F(Eviction, ResultTtlDoesNotExpireRunningTasks) {
  // A task that waits longer than the ttl must still be there when it ends:
  // records are kept "until expired (--result-ttl after finishing)"
  // (docs/api/openapi.yaml), in memory and in Valkey alike.
  auto& s = start_own({"--result-ttl", "200ms"});
  const auto id = submit(s.client(), R"({"payload":"p","params":{"delay_ms":600}})");
  const auto done = wait_terminal(s.client(), id, 5s);
  EXPECT_EQ(str(done, "status"), "succeeded") << json::serialize(done);
}

} // namespace
} // namespace taskmesh::it
