// File: tests/actors/stats_test.cpp
// The stats actor: latency windows and their percentiles, reports added up
// per op (and into the Prometheus series), and the GET /stats snapshot with
// the gauges it reads from the queue and pipeline_gauges.
#include <gtest/gtest.h>

#include <thread>

#include "actors/cluster_stats.hpp"
#include "actors/stats.hpp"
#include "tests/actors/test_system.hpp"

namespace taskmesh::actors_test {
namespace {

TEST(SampleWindow, EmptyIsAllZero) {
  const sample_window w{8};
  const auto s = w.summary();
  EXPECT_EQ(s.samples, 0u);
  EXPECT_EQ(s.p50_ms, 0);
  EXPECT_EQ(s.p99_ms, 0);
}

TEST(SampleWindow, PercentilesOfKnownData) {
  sample_window w{1000};
  // 1..100 ms, in microseconds, added in descending order.
  for (std::uint32_t i = 100; i >= 1; --i)
    w.add(i * 1000);
  const auto s = w.summary();
  EXPECT_EQ(s.samples, 100u);
  EXPECT_DOUBLE_EQ(s.p50_ms, 51); // rank round(0.50 * 99) = 50 -> 51 ms
  EXPECT_DOUBLE_EQ(s.p99_ms, 99); // rank round(0.99 * 99) = 98 -> 99 ms
}

TEST(SampleWindow, SingleSample) {
  sample_window w{4};
  w.add(1500);
  const auto s = w.summary();
  EXPECT_EQ(s.samples, 1u);
  EXPECT_DOUBLE_EQ(s.p50_ms, 1.5);
  EXPECT_DOUBLE_EQ(s.p99_ms, 1.5);
}

TEST(SampleWindow, KeepsOnlyTheMostRecentSamples) {
  sample_window w{4};
  for (std::uint32_t i = 1; i <= 10; ++i)
    w.add(i * 1000); // the window ends up holding 7, 8, 9, 10 ms
  const auto s = w.summary();
  EXPECT_EQ(s.samples, 10u); // all-time count
  EXPECT_DOUBLE_EQ(s.p50_ms, 9);
  EXPECT_DOUBLE_EQ(s.p99_ms, 10);
  // summary() works on a copy: asking twice gives the same answer.
  const auto again = w.summary();
  EXPECT_DOUBLE_EQ(again.p50_ms, 9);
}

TEST(SampleWindow, SkewedData) {
  sample_window w{100};
  for (int i = 0; i < 98; ++i)
    w.add(1000);
  w.add(500'000);
  w.add(900'000);
  const auto s = w.summary();
  EXPECT_DOUBLE_EQ(s.p50_ms, 1);
  EXPECT_DOUBLE_EQ(s.p99_ms, 500); // rank round(0.99 * 99) = 98 -> the 99th smallest
}

class Stats : public actor_test {
protected:
  stats_actor start(std::uint32_t workers = 4) {
    return spawn(stats, stats_config{"embedded", workers, 64, false}, &ops, &queue, &gauges,
                 &metrics, cluster_stats_actor{});
  }

  stats_report report(std::string_view op_name, op_tally t) {
    stats_report r;
    r.by_op.resize(ops.size());
    r.by_op[op(op_name)] = t;
    return r;
  }

  stats_snapshot snapshot(const stats_actor& s) {
    auto r = ask<stats_snapshot>(s, get_atom::value);
    EXPECT_TRUE(r.value);
    return r.value.value_or(stats_snapshot{});
  }

  static const op_tally* by_type(const stats_snapshot& s, std::string_view name) {
    for (const auto& [n, t] : s.by_type)
      if (n == name)
        return &t;
    return nullptr;
  }
};

TEST_F(Stats, ReportsAddUpPerOp) {
  auto s = start();
  caf::anon_send(s, report_atom::value, report("echo", {5, 0, 0, 0, 0}));
  caf::anon_send(s, report_atom::value, report("echo", {0, 3, 0, 0, 0}));
  caf::anon_send(s, report_atom::value, report("echo", {0, 2, 0, 0, 0}));
  caf::anon_send(s, report_atom::value, report("fail", {4, 0, 1, 2, 6}));
  run();
  const auto snap = snapshot(s);
  EXPECT_EQ(snap.submitted, 9u);
  EXPECT_EQ(snap.succeeded, 5u);
  EXPECT_EQ(snap.failed, 1u);
  EXPECT_EQ(snap.dead, 2u);
  EXPECT_EQ(snap.retried, 6u);
  const auto* echo = by_type(snap, "echo");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(echo->submitted, 5u);
  EXPECT_EQ(echo->succeeded, 5u);
  const auto* fail = by_type(snap, "fail");
  ASSERT_NE(fail, nullptr);
  EXPECT_EQ(fail->submitted, 4u);
  EXPECT_EQ(fail->failed, 1u);
  EXPECT_EQ(fail->dead, 2u);
  EXPECT_EQ(fail->retried, 6u);
  const auto* wc = by_type(snap, "wordcount");
  ASSERT_NE(wc, nullptr);
  EXPECT_EQ(wc->submitted, 0u);

  // The same numbers went into the Prometheus series.
  EXPECT_EQ(metrics.by_op[op("echo")].submitted->Value(), 5);
  EXPECT_EQ(metrics.by_op[op("echo")].succeeded->Value(), 5);
  EXPECT_EQ(metrics.by_op[op("fail")].failed->Value(), 1);
  EXPECT_EQ(metrics.by_op[op("fail")].dead->Value(), 2);
  EXPECT_EQ(metrics.by_op[op("fail")].retried->Value(), 6);
  EXPECT_EQ(metrics.by_op[op("wordcount")].submitted->Value(), 0);
}

TEST_F(Stats, ByTypeListsEnabledOpsOnlyButTotalsCountAll) {
  auto disabled = report("sha256", {1, 1, 0, 0, 0});
  ops.disable("sha256");
  auto s = start();
  caf::anon_send(s, report_atom::value, disabled);
  caf::anon_send(s, report_atom::value, report("echo", {1, 1, 0, 0, 0}));
  run();
  const auto snap = snapshot(s);
  EXPECT_EQ(by_type(snap, "sha256"), nullptr);
  EXPECT_NE(by_type(snap, "echo"), nullptr);
  EXPECT_EQ(snap.by_type.size(), ops.size() - 1);
  EXPECT_EQ(snap.submitted, 2u);
  EXPECT_EQ(snap.succeeded, 2u);
  // In registry order.
  EXPECT_EQ(snap.by_type.front().first, "echo");
}

TEST_F(Stats, SnapshotReadsGaugesAndConfig) {
  auto s = start(3);
  recorded_results results;
  ASSERT_TRUE(push({make_task("echo"), make_task("echo"), make_task("echo")}, &results));
  gauges.in_flight = 7;
  gauges.records = 11;
  const auto snap = snapshot(s);
  EXPECT_EQ(snap.mode, "embedded");
  EXPECT_EQ(snap.backlog, 3);
  EXPECT_EQ(snap.in_flight, 7);
  EXPECT_EQ(snap.records, 11);
  EXPECT_EQ(snap.workers, 3u);
  EXPECT_GE(snap.uptime_s, 0);
  EXPECT_GE(snap.worker_utilization, 0);
  EXPECT_LE(snap.worker_utilization, 1);
  // Asking also refreshes the Prometheus gauges.
  EXPECT_EQ(metrics.queue_depth->Value(), 3);
  EXPECT_EQ(metrics.in_flight->Value(), 7);
  EXPECT_EQ(metrics.records->Value(), 11);
  EXPECT_EQ(metrics.workers->Value(), 3);
}

TEST_F(Stats, LatencySamplesBecomePercentilesAndHistograms) {
  auto s = start();
  stats_report r;
  for (std::uint32_t ms = 1; ms <= 100; ++ms) {
    r.queue_wait_us.push_back(ms * 1000);
    r.processing_us.push_back(ms * 100);
  }
  caf::anon_send(s, report_atom::value, r);
  run();
  const auto snap = snapshot(s);
  // The window holds the latest 64 of the 100 samples: 37..100 ms.
  EXPECT_EQ(snap.queue_wait.samples, 100u);
  EXPECT_DOUBLE_EQ(snap.queue_wait.p50_ms, 69); // rank round(0.5 * 63) = 32 -> 37 + 32
  EXPECT_DOUBLE_EQ(snap.queue_wait.p99_ms, 99); // rank round(0.99 * 63) = 62 -> 37 + 62
  EXPECT_EQ(snap.processing.samples, 100u);
  EXPECT_DOUBLE_EQ(snap.processing.p99_ms, 9.9);
  // Every sample, not just the window, went into the histograms.
  const auto families = registry.Collect();
  bool found = false;
  for (const auto& f : families) {
    if (f.name != "taskmesh_task_queue_wait_seconds")
      continue;
    found = true;
    ASSERT_EQ(f.metric.size(), 1u);
    EXPECT_EQ(f.metric[0].histogram.sample_count, 100u);
    EXPECT_NEAR(f.metric[0].histogram.sample_sum, 5.050, 1e-9);
  }
  EXPECT_TRUE(found);
}

TEST_F(Stats, IgnoresCountsForOpsItDoesNotKnow) {
  auto s = start();
  stats_report r;
  r.by_op.resize(ops.size() + 3);
  r.by_op[0].submitted = 1;
  r.by_op[ops.size() + 2].submitted = 100;
  caf::anon_send(s, report_atom::value, r);
  run();
  EXPECT_EQ(snapshot(s).submitted, 1u);
}

TEST_F(Stats, TickRefreshesGaugesEverySecond) {
  start(2);
  gauges.in_flight = 5;
  advance(999ms);
  EXPECT_EQ(metrics.in_flight->Value(), 0);
  advance(1ms);
  EXPECT_EQ(metrics.in_flight->Value(), 5);
  EXPECT_EQ(metrics.workers->Value(), 2);
  gauges.in_flight = 1;
  advance(1s); // the tick re-arms itself
  EXPECT_EQ(metrics.in_flight->Value(), 1);
}

} // namespace
} // namespace taskmesh::actors_test

namespace taskmesh::actors_test {
namespace {

// Cluster mode: /stats shows the cluster-wide reading instead of this
// process's counters, asked of the cluster stats actor (here on the test
// scheduler; detached in the process), which reads at most once per cache
// period and keeps the last good reading when a read fails.
class ClusterStats : public actor_test {
protected:
  int reads = 0;
  bool fail_reads = false;

  cluster_view reading() {
    cluster_view v;
    v.totals.submitted = 100 + static_cast<std::uint64_t>(reads);
    v.totals.succeeded = 90;
    v.backlog = 7;
    v.records = 97;
    v.workers = 3;
    v.by_type = {{"echo", {100, 90, 0, 0, 0}}};
    return v;
  }

  // Stats (a worker pod's if `share`) with a cluster stats actor over `view`.
  stats_actor start(cluster_view_source view, std::chrono::milliseconds cache,
                    stats_share_sink share = {}, std::uint32_t workers = 2) {
    auto cluster = spawn(cluster_stats, cluster_stats_config{std::move(view), share, cache});
    return spawn(stats, stats_config{"cluster", workers, 64, static_cast<bool>(share)}, &ops,
                 &queue, &gauges, &metrics, cluster);
  }

  stats_actor start() {
    return start(
      [this]() -> std::optional<cluster_view> {
        ++reads;
        if (fail_reads)
          return std::nullopt;
        return reading();
      },
      std::chrono::milliseconds{20});
  }

  stats_snapshot snapshot(const stats_actor& s) {
    auto r = ask<stats_snapshot>(s, get_atom::value);
    EXPECT_TRUE(r.value);
    return r.value.value_or(stats_snapshot{});
  }
};

TEST_F(ClusterStats, SnapshotShowsTheClusterWideView) {
  auto s = start();
  caf::anon_send(s, report_atom::value, stats_report{}); // local numbers are ignored
  run();
  const auto snap = snapshot(s);
  EXPECT_EQ(snap.mode, "cluster");
  EXPECT_EQ(snap.submitted, 101u);
  EXPECT_EQ(snap.succeeded, 90u);
  EXPECT_EQ(snap.backlog, 7);
  EXPECT_EQ(snap.records, 97);
  EXPECT_EQ(snap.workers, 3u);
  ASSERT_EQ(snap.by_type.size(), 1u);
  EXPECT_EQ(snap.by_type[0].first, "echo");
}

// Utilization and latency come from what the worker pods shared; without
// any (no pod shared yet) the snapshot keeps this process's own.
TEST_F(ClusterStats, SnapshotShowsTheWorkersUtilizationAndLatencyFromTheView) {
  bool shared = true;
  auto s = start(
    [&shared]() -> std::optional<cluster_view> {
      cluster_view v;
      if (shared) {
        v.worker_utilization = 0.25;
        v.queue_wait = latency_summary{1.5, 4.0, 10};
        v.processing = latency_summary{0.5, 2.0, 9};
      }
      return v;
    },
    std::chrono::milliseconds{0}, {}, 0);
  auto snap = snapshot(s);
  EXPECT_DOUBLE_EQ(snap.worker_utilization, 0.25);
  EXPECT_DOUBLE_EQ(snap.queue_wait.p99_ms, 4.0);
  EXPECT_EQ(snap.queue_wait.samples, 10u);
  EXPECT_DOUBLE_EQ(snap.processing.p50_ms, 0.5);
  EXPECT_EQ(snap.processing.samples, 9u);
  shared = false;
  snap = snapshot(s); // cache 0: read again
  EXPECT_DOUBLE_EQ(snap.worker_utilization, 0.0);
  EXPECT_EQ(snap.queue_wait.samples, 0u);
}

// A worker pod hands its window and the samples since the last tick to the
// cluster stats actor on every tick, and each sample once.
TEST_F(ClusterStats, AWorkerPodSharesItsWindowAndNewSamplesOnEachTick) {
  std::vector<stats_share> shares;
  auto s = start([this] { return std::optional<cluster_view>(reading()); },
                 std::chrono::milliseconds{20},
                 [&shares](stats_share sh) { shares.push_back(std::move(sh)); });
  stats_report r;
  r.queue_wait_us = {100, 200};
  r.processing_us = {50};
  r.busy_ns = 1'000;
  caf::anon_send(s, report_atom::value, r);
  caf::anon_send(s, tick_atom::value);
  run();
  caf::anon_send(s, tick_atom::value);
  run();
  ASSERT_GE(shares.size(), 2u);
  EXPECT_EQ(shares[0].queue_wait_us, (std::vector<std::uint32_t>{100, 200}));
  EXPECT_EQ(shares[0].processing_us, (std::vector<std::uint32_t>{50}));
  EXPECT_EQ(shares[0].busy_ns, 1'000u);
  EXPECT_GT(shares[0].capacity_ns, 0u);
  EXPECT_TRUE(shares[1].queue_wait_us.empty()) << "a sample is shared once";
  EXPECT_EQ(shares[1].busy_ns, 0u);
}

TEST_F(ClusterStats, ReadsAtMostOncePerCacheWindowAndKeepsTheLastGoodReading) {
  auto s = start();
  snapshot(s);
  snapshot(s);
  snapshot(s);
  EXPECT_EQ(reads, 1) << "three /stats within the cache window read Valkey once";
  std::this_thread::sleep_for(std::chrono::milliseconds(25)); // the cache is on the steady clock
  fail_reads = true;
  const auto snap = snapshot(s);
  EXPECT_EQ(reads, 2);
  EXPECT_EQ(snap.submitted, 101u) << "a failed read keeps the last good reading";
}

// No reading at all yet (Valkey down since the start): this process's own
// numbers rather than no answer.
TEST_F(ClusterStats, WithoutAnyReadingTheSnapshotIsTheLocalOne) {
  fail_reads = true;
  auto s = start();
  stats_report r;
  r.by_op.resize(ops.size());
  r.by_op[op("echo")].submitted = 4;
  caf::anon_send(s, report_atom::value, r);
  run();
  const auto snap = snapshot(s);
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(snap.submitted, 4u);
  EXPECT_EQ(snap.mode, "cluster");
}

} // namespace
} // namespace taskmesh::actors_test
