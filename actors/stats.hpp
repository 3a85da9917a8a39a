// File: actors/stats.hpp
// Counts what the pipeline did (from batched reports by intake and workers),
// keeps recent latency samples for percentiles, refreshes the gauges once a
// second, and assembles the GET /stats snapshot. In cluster mode it asks the
// cluster stats actor (actors/cluster_stats.hpp) for the cluster-wide
// numbers and, on a worker pod, sends it its window every tick; it never
// blocks itself.
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

// p50/p99 of `samples_us` (in ms), `total` samples ever taken.
latency_summary summarize(std::vector<std::uint32_t> samples_us, std::uint64_t total);

struct stats_config {
  std::string mode = "embedded";
  std::uint32_t workers = 1;
  std::uint32_t latency_window = 8192; // samples kept per latency series
  bool share = false; // cluster worker pods: send the window to the cluster stats actor each tick
                      // (set by spawn_graph, only when that actor exists)
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
  cluster_stats_actor cluster; // cluster mode: where the cluster-wide numbers come from
};

stats_actor::behavior_type stats(stats_actor::stateful_pointer<stats_state> self,
                                 stats_config config, const op_registry* ops,
                                 const intake_queue* queue, const pipeline_gauges* gauges,
                                 task_metrics* metrics, cluster_stats_actor cluster);

} // namespace taskmesh
