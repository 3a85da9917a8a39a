// File: actors/graph.hpp
// The topology of the actor graph: spawn_graph() is the one function that
// creates and connects the actors. Where modes differ the caller
// (apps/taskmesh/wiring.cpp) fills the seams: the store (memory | Valkey),
// the admission seam intake hands each round to (the memory store, which
// gives the new tasks back for the dispatcher | Valkey + JetStream) and the
// work source the dispatcher asks for tasks (none: intake feeds it | JetStream
// feeder). Intake, dispatcher, workers and stats are the same code in every
// mode.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include <caf/actor_system.hpp>
#include <prometheus/registry.h>

#include "actors/cluster_stats.hpp"
#include "actors/intake.hpp"
#include "actors/intake_queue.hpp"
#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "actors/pipeline.hpp"
#include "actors/stats.hpp"
#include "actors/task_events.hpp"
#include "actors/task_metrics.hpp"

namespace taskmesh {

struct graph_config {
  std::uint32_t workers = 1;
  intake_config intake;
  dispatcher_config dispatch;
  retry_policy retry;
  op_budget::limits op_limits; // --max-result-bytes, --op-timeout
  stats_config stats;
  cluster_stats_config cluster; // cluster mode: the cluster-wide /stats reads and shares
};

// Told when an actor of the graph stops for any reason but actor_graph::stop()
// (an exception in a handler, an error message no request waited for): the
// process would go on taking tasks that nobody runs or records.
using actor_down_callback = std::function<void(std::string_view actor, const caf::error& reason)>;

// Shared, long-lived objects the actors point into. Must outlive the graph.
struct graph_context {
  const op_registry* ops;
  intake_queue* queue;
  pipeline_gauges* gauges;
  task_metrics* metrics;
  task_event_hub* events = nullptr; // live transitions for the event streams
  prometheus::Registry* registry = nullptr; // where a seam's own series go (cluster mode)
  actor_down_callback on_actor_down{};       // null: nobody is told
};

// Which actors fill the seams, and which parts this process runs.
struct graph_seams {
  store_actor store;            // required
  admission_actor admission;    // required when intake runs
  work_source_actor work_source; // null: intake feeds the dispatcher
  bool intake = true;           // takes HTTP submissions (embedded, api, all)
  bool workers = true;          // runs tasks (embedded, worker, all)
};

struct actor_graph {
  intake_actor intake;          // null when the process takes no submissions
  dispatcher_actor dispatcher;  // null when the process runs no tasks
  work_source_actor work_source; // cluster worker pods: the dispatcher asks it
  admission_actor admission;    // null when the process takes no submissions
  std::vector<worker_actor> workers;
  store_actor store;
  stats_actor stats;
  cluster_stats_actor cluster_stats; // cluster mode: stats asks it (detached: it blocks)
  bridge_actor bridge;

  // Asks every actor to stop (the system then waits for them on shutdown).
  void stop();
};

actor_graph spawn_graph(caf::actor_system& sys, const graph_config& config, graph_context ctx,
                        graph_seams seams);

} // namespace taskmesh
