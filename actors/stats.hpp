// File: actors/stats.hpp
// Counts what the pipeline did (from batched reports by intake and workers),
// keeps recent latency samples for percentiles, refreshes the gauges once a
// second, and assembles the GET /stats snapshot.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/intake_queue.hpp"
#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "actors/pipeline.hpp"
#include "actors/task_metrics.hpp"

namespace taskmesh {

// Cluster mode: the numbers GET /stats shows are cluster-wide (counters
// shared by all workers, the JetStream backlog, records in Valkey, live
// workers), not this process's.
struct cluster_view {
  std::uint64_t submitted = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t dead = 0;
  std::uint64_t retried = 0;
  std::uint64_t cancelled = 0;
  std::int64_t backlog = 0;
  std::int64_t backlog_high = 0; // of backlog: the high lane's
  std::int64_t in_flight = 0;
  std::int64_t records = 0;
  std::uint32_t workers = 0;
  std::vector<std::string> worker_pods; // live worker ids (heartbeats), at most 100
  std::vector<std::pair<std::string, op_tally>> by_type;
  // What the worker pods share (stats_share below): utilization over the
  // pods whose last window is fresh (nullopt: none is), and percentiles of
  // the cluster's most recent latency samples (nullopt: none yet).
  std::optional<double> worker_utilization;
  std::optional<latency_summary> queue_wait;
  std::optional<latency_summary> processing;
};

// Reads a cluster_view (blocking, bounded); nullopt if a dependency did not
// answer. Empty function: embedded mode.
using cluster_view_source = std::function<std::optional<cluster_view>()>;

// What a worker pod shares once a second in cluster mode, so that /stats on
// any pod can show cluster-wide utilization and latency: its last
// utilization window and the latency samples taken since the last share.
struct stats_share {
  std::uint64_t busy_ns = 0;     // workers' time running ops in the window
  std::uint64_t capacity_ns = 0; // window length x workers
  std::vector<std::uint32_t> queue_wait_us;
  std::vector<std::uint32_t> processing_us;
};
// Writes a stats_share (blocking, bounded). Empty function: nothing shared
// (embedded mode, api pods).
using stats_share_sink = std::function<void(stats_share)>;

// p50/p99 of `samples_us` (in ms), `total` samples ever taken.
latency_summary summarize(std::vector<std::uint32_t> samples_us, std::uint64_t total);

struct stats_config {
  std::string mode = "embedded";
  std::uint32_t workers = 1;
  std::uint32_t latency_window = 8192; // samples kept per latency series
  cluster_view_source cluster;         // set in cluster mode (spawn the actor detached)
  std::chrono::milliseconds cluster_cache{1000}; // /stats under load reads Valkey at most this often
  stats_share_sink share;              // set on cluster worker pods: called on every tick
};

// A fixed-size ring of the most recent samples.
class sample_window {
public:
  explicit sample_window(std::size_t size = 8192) : samples_(size) {}
  void add(std::uint32_t v) noexcept;
  // p in [0,1]; 0 if empty. Copies, so the window itself is untouched.
  latency_summary summary() const;

private:
  std::vector<std::uint32_t> samples_;
  std::size_t next_ = 0;
  std::uint64_t total_ = 0;
};

struct stats_state {
  static inline const char* name = "stats";
  stats_config config;
  const op_registry* ops = nullptr;
  const intake_queue* queue = nullptr;
  const pipeline_gauges* gauges = nullptr;
  task_metrics* metrics = nullptr;
  std::vector<op_tally> by_op;
  sample_window queue_wait;
  sample_window processing;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point window_start;
  std::uint64_t window_busy_ns = 0;
  double utilization = 0;
  std::vector<std::uint32_t> unshared_queue_wait; // samples not yet given to config.share
  std::vector<std::uint32_t> unshared_processing;
  std::optional<cluster_view> cluster;               // last cluster-wide reading
  std::chrono::steady_clock::time_point cluster_read{}; // when it was taken
};

stats_actor::behavior_type stats(stats_actor::stateful_pointer<stats_state> self,
                                 stats_config config, const op_registry* ops,
                                 const intake_queue* queue, const pipeline_gauges* gauges,
                                 task_metrics* metrics);

} // namespace taskmesh
