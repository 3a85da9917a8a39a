// File: actors/task_metrics.hpp
// The Prometheus series the stats actor owns (task counts by type and
// outcome, queue and worker gauges, latency histograms). Every series is
// created once here at start-up; the hot path only touches references.
#pragma once

#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "actors/ops/registry.hpp"

namespace taskmesh {

struct task_metrics {
  struct per_op {
    prometheus::Counter* submitted;
    prometheus::Counter* succeeded;
    prometheus::Counter* failed;
    prometheus::Counter* dead;
    prometheus::Counter* retried;
    prometheus::Counter* cancelled;
  };
  std::vector<per_op> by_op; // indexed by op_index
  prometheus::Gauge* queue_depth;
  prometheus::Gauge* in_flight;
  prometheus::Gauge* records;
  prometheus::Gauge* workers;
  prometheus::Gauge* worker_utilization;
  prometheus::Gauge* queue_capacity;
  prometheus::Gauge* max_in_flight;
  prometheus::Gauge* max_records;
  prometheus::Histogram* queue_wait_seconds;
  prometheus::Histogram* processing_seconds;

  task_metrics(prometheus::Registry& registry, const op_registry& ops);

  // Bucket bounds (seconds) of the task latency histograms.
  static const prometheus::Histogram::BucketBoundaries& latency_bounds();
};

} // namespace taskmesh
