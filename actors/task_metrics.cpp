// File: actors/task_metrics.cpp
#include "actors/task_metrics.hpp"

#include <string>

namespace taskmesh {
const prometheus::Histogram::BucketBoundaries& task_metrics::latency_bounds() {
  // 50 us .. 60 s, roughly x2.5 per step.
  static const prometheus::Histogram::BucketBoundaries bounds{
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,   60};
  return bounds;
}

task_metrics::task_metrics(prometheus::Registry& registry, const op_registry& ops) {
  auto& submitted = prometheus::BuildCounter()
                      .Name("taskmesh_tasks_submitted_total")
                      .Help("Tasks accepted, by type")
                      .Register(registry);
  auto& finished = prometheus::BuildCounter()
                     .Name("taskmesh_tasks_finished_total")
                     .Help("Tasks brought to a terminal state, by type and outcome")
                     .Register(registry);
  auto& retried = prometheus::BuildCounter()
                    .Name("taskmesh_task_retries_total")
                    .Help("Attempts that failed transiently and were scheduled again")
                    .Register(registry);
  for (op_index i = 0; i < ops.size(); ++i) {
    const std::string type{ops.name(i)};
    by_op.push_back({&submitted.Add({{"type", type}}),
                     &finished.Add({{"type", type}, {"outcome", "succeeded"}}),
                     &finished.Add({{"type", type}, {"outcome", "failed"}}),
                     &finished.Add({{"type", type}, {"outcome", "dead"}}),
                     &retried.Add({{"type", type}}),
                     &finished.Add({{"type", type}, {"outcome", "cancelled"}})});
  }
  auto gauge = [&](const char* name, const char* help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
  };
  queue_depth = gauge("taskmesh_queue_depth", "Tasks accepted and not yet handed to a worker");
  in_flight = gauge("taskmesh_tasks_in_flight", "Tasks started and not yet terminal");
  records = gauge("taskmesh_result_records", "Task records held by the result store");
  workers = gauge("taskmesh_workers", "Worker actors");
  worker_utilization = gauge("taskmesh_worker_utilization_ratio",
                             "Share of worker time spent running ops over the last second");
  // The configured limits, so alerts can compare against them.
  queue_capacity = gauge("taskmesh_queue_capacity", "Configured --queue-capacity");
  max_in_flight = gauge("taskmesh_max_in_flight", "Configured --max-in-flight");
  max_records = gauge("taskmesh_max_records", "Configured --max-records");
  auto histogram = [&](const char* name, const char* help) {
    return &prometheus::BuildHistogram().Name(name).Help(help).Register(registry).Add(
      {}, latency_bounds());
  };
  queue_wait_seconds = histogram("taskmesh_task_queue_wait_seconds",
                                 "Time from acceptance to first start");
  processing_seconds = histogram("taskmesh_task_processing_seconds",
                                 "Time from the start of the final attempt to its end");
}

} // namespace taskmesh
