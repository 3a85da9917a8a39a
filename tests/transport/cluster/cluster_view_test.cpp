// File: tests/transport/cluster/cluster_view_test.cpp
// The cluster-wide /stats source against a real redis-server: its numbers
// match what task_records wrote (counters, per-type tallies, records,
// workers), the backlog comes from the reader and in_flight is derived from
// it, and a dependency that does not answer gives nullopt.
#include <gtest/gtest.h>

#include <atomic>

#include "tests/transport/valkey/valkey_fixture.hpp"
#include "transport/cluster/cluster_view.hpp"

namespace taskmesh::cluster {
namespace {

using namespace std::chrono_literals;
using valkey::testing::advanced;
using valkey::testing::make_record;
using valkey::testing::wait_until;
using valkey::testing::writes;

class ClusterView : public valkey::testing::RecordsTest {
protected:
  cluster_view_source source() {
    return make_cluster_view_source(server->config(), {"tm", 60s, 256},
                                    [this]() -> std::optional<lane_backlog> {
                                      if (backlog_fails)
                                        return std::nullopt;
                                      return lane_backlog{high_backlog.load(), backlog.load()};
                                    });
  }

  std::atomic<std::int64_t> high_backlog{0};
  std::atomic<std::int64_t> backlog{0}; // the normal lane's
  std::atomic<bool> backlog_fails{false};
};

const op_tally* find(const cluster_view& v, std::string_view type) {
  for (const auto& [name, t] : v.by_type)
    if (name == type)
      return &t;
  return nullptr;
}

TEST_F(ClusterView, EmptyStore) {
  const auto v = source()();
  ASSERT_TRUE(v);
  EXPECT_EQ(v->totals.submitted, 0u);
  EXPECT_EQ(v->backlog, 0);
  EXPECT_EQ(v->in_flight, 0);
  EXPECT_EQ(v->records, 0);
  EXPECT_EQ(v->workers, 0u);
  EXPECT_TRUE(v->worker_pods.empty());
  EXPECT_TRUE(v->by_type.empty());
}

TEST_F(ClusterView, NumbersMatchWhatWasWritten) {
  std::vector<task_record> echo, upper;
  for (int i = 0; i < 6; ++i)
    echo.push_back(make_record());
  for (int i = 0; i < 2; ++i)
    upper.push_back(make_record());
  ok(records->admit(writes(echo, "echo")));
  ok(records->admit(writes(upper, "uppercase")));
  // echo: 2 succeeded, 1 failed, 1 dead, 1 waiting out a retry; uppercase: 1 succeeded.
  update_one(advanced(echo[0], task_status::succeeded, 1));
  update_one(advanced(echo[1], task_status::succeeded, 1));
  update_one(advanced(echo[2], task_status::failed, 1));
  update_one(advanced(echo[3], task_status::dead, 3));
  update_one(advanced(echo[4], task_status::queued, 1, now_us() + 1'000'000));
  update_one(advanced(upper[0], task_status::succeeded, 1), "uppercase");
  ok(records->heartbeat("w1", 10s));
  ok(records->heartbeat("w2", 10s));
  backlog = 2;

  const auto v = source()();
  ASSERT_TRUE(v);
  EXPECT_EQ(v->totals.submitted, 8u);
  EXPECT_EQ(v->totals.succeeded, 3u);
  EXPECT_EQ(v->totals.failed, 1u);
  EXPECT_EQ(v->totals.dead, 1u);
  EXPECT_EQ(v->totals.retried, 1u);
  EXPECT_EQ(v->backlog, 2);
  // 8 accepted - 5 finished - 2 in JetStream's backlog.
  EXPECT_EQ(v->in_flight, 1);
  EXPECT_EQ(v->records, 8);
  EXPECT_EQ(v->workers, 2u);
  EXPECT_EQ(v->worker_pods, (std::vector<std::string>{"w1", "w2"}));

  ASSERT_EQ(v->by_type.size(), 2u);
  EXPECT_EQ(v->by_type[0].first, "echo"); // sorted by name
  const op_tally* e = find(*v, "echo");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->submitted, 6u);
  EXPECT_EQ(e->succeeded, 2u);
  EXPECT_EQ(e->failed, 1u);
  EXPECT_EQ(e->dead, 1u);
  EXPECT_EQ(e->retried, 1u);
  const op_tally* u = find(*v, "uppercase");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->submitted, 2u);
  EXPECT_EQ(u->succeeded, 1u);
  EXPECT_EQ(u->failed + u->dead + u->retried, 0u);

  // A backlog larger than what is unfinished (e.g. finished, not yet acked)
  // never makes in_flight negative.
  backlog = 7;
  high_backlog = 3;
  const auto w = source()();
  ASSERT_TRUE(w);
  EXPECT_EQ(w->backlog, 10);
  EXPECT_EQ(w->backlog_high, 3);
  EXPECT_EQ(w->in_flight, 0);
}

// Worker pods by id: a forgotten one leaves the list at once, one whose
// heartbeat expired leaves it by itself.
TEST_F(ClusterView, WorkerPodsAreTheLiveOnes) {
  ok(records->heartbeat("pod-a", 10s));
  ok(records->heartbeat("pod-b", 10s));
  ok(records->heartbeat("pod-c", 1500ms));
  auto read = source();
  auto v = read();
  ASSERT_TRUE(v);
  EXPECT_EQ(v->worker_pods.size(), 3u);
  ASSERT_TRUE(records->forget_worker("pod-a"));
  ASSERT_TRUE(wait_until([&] {
    v = read();
    return v && v->worker_pods == std::vector<std::string>{"pod-b"};
  }, 10s)) << (v ? v->worker_pods.size() : 0) << " pods listed";
  EXPECT_EQ(v->workers, 1u);
}

TEST_F(ClusterView, NulloptWhenADependencyDoesNotAnswer) {
  auto read = source();
  ASSERT_TRUE(read());
  backlog_fails = true;
  EXPECT_FALSE(read());
  backlog_fails = false;
  ASSERT_TRUE(read());

  server->kill();
  EXPECT_FALSE(read());
  server->restart();
  // The client reconnects by itself (backoff at most reconnect_max).
  EXPECT_TRUE(wait_until([&] { return read().has_value(); }, 5s));
}

} // namespace
} // namespace taskmesh::cluster
