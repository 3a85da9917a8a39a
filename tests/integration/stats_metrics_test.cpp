// File: tests/integration/stats_metrics_test.cpp
// GET /stats (every documented field, per-type counts, the sums that must
// hold when idle) and GET /metrics (Prometheus text with the documented
// families, counting what happened). In a cluster /stats is cluster-wide
// (mode "cluster", workers = worker pods) while /metrics is per process:
// task counters are summed over every pod, as a scraper would.
#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

class StatsMetrics : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({"--workers", "2"}); }
};

// The sum of `name` over the /metrics of every taskmesh process (the only
// one, or the api and the worker pods); -1 when none has a sample.
double metric_sum_all_pods(taskmesh_server& s, std::string_view name) {
  double sum = -1;
  for (const auto port : s.ports()) {
    http_client c(port);
    const auto r = c.get("/metrics");
    if (r.status != 200)
      throw std::runtime_error("GET /metrics on port " + std::to_string(port) + ": " +
                               r.describe());
    const auto v = metric_sum(r.body, name);
    if (v >= 0)
      sum = (sum < 0 ? 0 : sum) + v;
  }
  return sum;
}

std::int64_t type_count(const json::object& stats, std::string_view type, std::string_view key) {
  const auto& by_type = sub(stats, "by_type");
  const auto* t = by_type.if_contains(type);
  return t ? num(t->as_object(), key) : 0;
}

TEST_F(StatsMetrics, StatsHasEveryDocumentedField) {
  const auto s = get_stats(client());
  SCOPED_TRACE(json::serialize(s));
  for (const char* key : {"valkey_keys_count", "queue_backlog_length", "worker_processed_count",
                          "submitted", "succeeded", "failed", "dead", "in_flight", "retried",
                          "workers"})
    EXPECT_GE(num(s, key), 0) << key;
  // --workers 2 in embedded; two worker pods (heartbeats) in the cluster.
  EXPECT_EQ(num(s, "workers"), 2);
  EXPECT_EQ(str(s, "mode"), cluster_topology() ? "cluster" : "embedded");
  const auto& lanes = sub(s, "backlog_by_lane");
  EXPECT_GE(num(lanes, "high"), 0);
  EXPECT_GE(num(lanes, "normal"), 0);
  // The worker pods by id in the cluster (their heartbeats); none in embedded mode.
  if (cluster_topology()) {
    ASSERT_TRUE(s.contains("worker_pods"));
    const auto& pods = s.at("worker_pods").as_array();
    ASSERT_EQ(pods.size(), 2u);
    EXPECT_NE(pods[0].as_string(), pods[1].as_string());
  } else {
    EXPECT_FALSE(s.contains("worker_pods"));
  }
  EXPECT_GE(real(s, "uptime_s"), 0.0);
  EXPECT_NO_THROW(sub(s, "by_type"));
  for (const char* hist : {"queue_wait_ms", "processing_ms"}) {
    const auto& h = sub(s, hist);
    EXPECT_GE(real(h, "p50"), 0.0) << hist;
    EXPECT_GE(real(h, "p99"), real(h, "p50")) << hist;
  }
}

// Tasks that wait because every in-flight slot is taken show in the backlog
// of their lane. Cluster mode counts what each lane's JetStream consumer
// holds, the blockers being processed (ack-pending) included.
TEST_F(StatsMetrics, BacklogIsShownByLane) {
  auto& own = start_own({"--workers", "1", "--max-in-flight", "1"});
  std::vector<std::string> ids;
  // Two delayed blockers: one slot per worker process (two cluster pods).
  for (int i = 0; i < 2; ++i)
    ids.push_back(submit(own.client(), R"({"type":"echo","payload":"x","params":{"delay_ms":60000}})"));
  // Both blockers hold their slot before anything else comes (embedded: the
  // first; the second waits), or a free slot would take a high task.
  const int blocking = cluster_topology() ? 2 : 1;
  ASSERT_TRUE(wait_until([&] {
    int running = 0;
    for (int i = 0; i < 2; ++i)
      running += str(get_task(own.client(), ids[i]), "status") == "running";
    return running == blocking;
  }, 10s));
  for (int i = 0; i < 3; ++i)
    ids.push_back(submit(own.client(), R"({"type":"echo","payload":"h","priority":"high"})"));
  for (int i = 0; i < 2; ++i)
    ids.push_back(submit(own.client(), R"({"type":"echo","payload":"n"})"));
  // Embedded: one blocker runs, the other waits in the normal lane.
  const std::int64_t normal = 2 + (cluster_topology() ? 2 : 1);
  json::object s;
  EXPECT_TRUE(wait_until([&] {
    s = fresh_stats(own.client());
    const auto& lanes = sub(s, "backlog_by_lane");
    return num(lanes, "high") == 3 && num(lanes, "normal") == normal;
  }, 10s)) << json::serialize(s) << "\nwanted high 3, normal " << normal;
  EXPECT_EQ(num(s, "queue_backlog_length"), 3 + normal);
  for (const auto& id : ids) // cancelled, so nothing waits on a 60 s delay
    own.client().request("DELETE", "/task/" + id);
}

// Latency percentiles and worker utilization describe the workers wherever
// /stats is read: in a cluster the api pod shows what the worker pods share
// through Valkey (docs/cluster.md), not its own zeros.
// (Its own server: the load it adds must not reach the suite's counters.)
TEST_F(StatsMetrics, StatsShowsTheWorkersLatencyAndUtilization) {
  auto& own = start_own({"--workers", "2"});
  json::object s;
  EXPECT_TRUE(wait_until(
    [&] {
      submit_batch(own.client(), repeat_batch(R"({"type":"sha256","payload":"busy"})", 50));
      s = get_stats(own.client());
      return num(sub(s, "processing_ms"), "samples") > 0 &&
             num(sub(s, "queue_wait_ms"), "samples") > 0 && real(s, "worker_utilization") > 0;
    },
    10s, 100ms))
    << json::serialize(s);
  EXPECT_LE(real(s, "worker_utilization"), 1.0) << json::serialize(s);
}

TEST_F(StatsMetrics, StatsCountsByOutcomeAndType) {
  const auto before = fresh_stats(client());
  const auto ok = run_task(client(), R"({"type":"wordcount","payload":"a b"})");
  const auto bad = run_task(client(), R"({"type":"fail","payload":"x"})");
  ASSERT_EQ(str(ok, "status"), "succeeded") << json::serialize(ok);
  ASSERT_EQ(str(bad, "status"), "failed") << json::serialize(bad);
  const auto after = fresh_stats(client());
  SCOPED_TRACE("before: " + json::serialize(before) + "\nafter: " + json::serialize(after));
  EXPECT_EQ(num(after, "submitted") - num(before, "submitted"), 2);
  EXPECT_EQ(num(after, "succeeded") - num(before, "succeeded"), 1);
  EXPECT_EQ(num(after, "failed") - num(before, "failed"), 1);
  EXPECT_EQ(num(after, "dead") - num(before, "dead"), 0);
  EXPECT_EQ(num(after, "worker_processed_count") - num(before, "worker_processed_count"), 2);
  EXPECT_EQ(type_count(after, "wordcount", "submitted") -
              type_count(before, "wordcount", "submitted"),
            1);
  EXPECT_EQ(type_count(after, "wordcount", "succeeded") -
              type_count(before, "wordcount", "succeeded"),
            1);
  EXPECT_EQ(type_count(after, "fail", "failed") - type_count(before, "fail", "failed"), 1);
  const auto* fail_type = sub(after, "by_type").if_contains("fail");
  ASSERT_NE(fail_type, nullptr);
  for (const char* key : {"submitted", "succeeded", "failed", "dead", "retried"})
    EXPECT_GE(num(fail_type->as_object(), key), 0) << key;
}

TEST_F(StatsMetrics, StatsAddUpWhenIdle) {
  const auto before = num(fresh_stats(client()), "succeeded");
  submit_batch(client(), repeat_batch(R"({"type":"lowercase","payload":"AB"})", 20));
  json::object s;
  ASSERT_TRUE(wait_until(
    [&] {
      s = get_stats(client());
      return num(s, "succeeded") >= before + 20 && num(s, "in_flight") == 0 &&
             num(s, "queue_backlog_length") == 0;
    },
    10s))
    << json::serialize(s);
  SCOPED_TRACE(json::serialize(s));
  const auto terminal = num(s, "succeeded") + num(s, "failed") + num(s, "dead");
  EXPECT_EQ(num(s, "submitted"), terminal + num(s, "in_flight") + num(s, "queue_backlog_length"));
  EXPECT_EQ(num(s, "worker_processed_count"), terminal);
  EXPECT_EQ(num(s, "valkey_keys_count"), num(s, "submitted")) << "no eviction expected here";
}

TEST_F(StatsMetrics, MetricsIsPrometheusText) {
  run_task(client(), R"({"payload":"m"})");
  const auto r = client().get("/metrics");
  ASSERT_EQ(r.status, 200u) << r.describe();
  const auto type = r.header("Content-Type");
  EXPECT_TRUE(type.starts_with("text/plain")) << type;
  EXPECT_NE(type.find("version=0.0.4"), std::string::npos) << type;
  SCOPED_TRACE(r.body.substr(0, 4000));
  EXPECT_NE(r.body.find("# TYPE taskmesh_http_requests_total counter"), std::string::npos);
  EXPECT_NE(r.body.find("# TYPE taskmesh_tasks_finished_total counter"), std::string::npos);
  EXPECT_NE(r.body.find("# TYPE taskmesh_queue_depth gauge"), std::string::npos);
  EXPECT_GE(metric_sum(r.body, "taskmesh_http_requests_total"), 2.0);
  EXPECT_GE(metric_sum(r.body, "taskmesh_queue_depth"), 0.0);
  // Tasks finish where they run: on the worker pods in a cluster.
  EXPECT_GE(metric_sum_all_pods(server(), "taskmesh_tasks_finished_total"), 1.0);
}

// Each cluster pod exports its own NATS and Valkey series (latency, errors,
// reconnects, redeliveries, pending acks); an embedded process has no such
// clients and none of those series.
TEST_F(StatsMetrics, ClusterPodsExportTheirNatsAndValkeySeries) {
  run_task(client(), R"({"type":"wordcount","payload":"a b"})");
  const auto api = client().get("/metrics").body;
  if (!cluster_topology()) {
    EXPECT_EQ(metric_sum(api, "taskmesh_nats_publish_duration_seconds_count"), -1) << api;
    EXPECT_EQ(metric_sum(api, "taskmesh_valkey_call_duration_seconds_count"), -1) << api;
    return;
  }
  SCOPED_TRACE(api.substr(0, 4000));
  EXPECT_GE(metric_sum(api, "taskmesh_nats_publish_duration_seconds_count"), 1.0);
  EXPECT_EQ(metric_sum(api, "taskmesh_nats_publish_errors_total"), 0.0);
  EXPECT_EQ(metric_sum(api, "taskmesh_nats_reconnects_total"), 0.0);
  EXPECT_GE(metric_sum(api, "taskmesh_valkey_call_duration_seconds_count"), 1.0);
  EXPECT_EQ(metric_sum(api, "taskmesh_valkey_errors_total"), 0.0);
  EXPECT_EQ(metric_sum(api, "taskmesh_valkey_reconnects_total"), 0.0);
  // The task's record was written by a worker pod, and its message is settled.
  EXPECT_GE(metric_sum_all_pods(server(), "taskmesh_valkey_call_duration_seconds_count"), 2.0);
  EXPECT_EQ(metric_sum_all_pods(server(), "taskmesh_nats_redeliveries_total"), 0.0);
  double pending = -1;
  EXPECT_TRUE(wait_until(
    [&] {
      pending = metric_sum_all_pods(server(), "taskmesh_nats_pending_acks");
      return pending == 0;
    },
    5s))
    << "messages still held unacked: " << pending;
}

TEST_F(StatsMetrics, MetricsCountFinishedTasks) {
  const auto before = metric_sum_all_pods(server(), "taskmesh_tasks_finished_total");
  submit_batch(client(), repeat_batch(R"({"type":"sha256","payload":"x"})", 5));
  double after = 0;
  EXPECT_TRUE(wait_until(
    [&] {
      after = metric_sum_all_pods(server(), "taskmesh_tasks_finished_total");
      return after - std::max(before, 0.0) >= 5.0;
    },
    10s))
    << "before " << before << " after " << after;
}

} // namespace
} // namespace taskmesh::it
