// File: actors/graph.hpp
// The topology of the actor graph: spawn_graph() is the one function that
// creates and connects the actors. The store is one of the two seams where
// modes differ, so it is spawned by the caller (apps/taskmesh/wiring.cpp)
// and handed in.
#pragma once

#include <vector>

#include <caf/actor_system.hpp>
#include <prometheus/registry.h>

#include "actors/intake.hpp"
#include "actors/intake_queue.hpp"
#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "actors/pipeline.hpp"
#include "actors/stats.hpp"
#include "actors/task_metrics.hpp"

namespace taskmesh {

struct graph_config {
  std::uint32_t workers = 1;
  intake_config intake;
  dispatcher_config dispatch;
  retry_policy retry;
  stats_config stats;
};

// Shared, long-lived objects the actors point into. Must outlive the graph.
struct graph_context {
  const op_registry* ops;
  intake_queue* queue;
  pipeline_gauges* gauges;
  task_metrics* metrics;
};

struct actor_graph {
  intake_actor intake;
  dispatcher_actor dispatcher;
  std::vector<worker_actor> workers;
  store_actor store;
  stats_actor stats;
  bridge_actor bridge;

  // Asks every actor to stop (the system then waits for them on shutdown).
  void stop();
};

actor_graph spawn_graph(caf::actor_system& sys, const graph_config& config, graph_context ctx,
                        store_actor store);

} // namespace taskmesh
