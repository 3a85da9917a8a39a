// File: apps/taskmesh/wiring.hpp
// The only place that decides, from the configuration, what this process
// runs: which actors fill the graph's seams (the in-memory store and local
// dispatcher, embedded; or the Valkey store, the JetStream publisher and the
// JetStream feeder, cluster, by role), which routes it serves, what its
// readiness depends on, and the mode it reports. main() only runs the plan.
// It also owns the connections those actors use. Each part gets its slice
// of the configuration as parsed (config.hpp), not fields copied one by one.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/graph.hpp"
#include "apps/taskmesh/config.hpp"
#include "transport/cluster/cluster_health.hpp"
#include "transport/cluster/task_event_relay.hpp"
#include "transport/cluster/cluster_metrics.hpp"
#include "transport/http/router.hpp"
#include "transport/nats/connection.hpp"

namespace taskmesh::app {

// What the cluster wiring keeps alive for the actors (must outlive the graph's
// actor system: declare it before the system).
struct cluster_resources {
  cluster::dependency_health health;
  std::unique_ptr<cluster::cluster_metrics> metrics; // in graph_context::registry
  std::unique_ptr<nats::connection> nats;
  // Live task events over NATS (declared after the connection: gone before it).
  std::unique_ptr<cluster::event_publisher> events_out;
  std::unique_ptr<cluster::cancelled_tasks> cancelled;
  std::unique_ptr<cluster::event_subscriber> events_in;
  std::unique_ptr<cluster::event_subscriber> cancels_in;
  ~cluster_resources();
};

// Everything the process runs, decided once.
struct process_plan {
  actor_graph graph;
  std::string mode;        // "embedded" | "cluster": GET /stats, /health, the logs
  process_role role;       // all in embedded mode
  http::router routes;     // the API, or a worker pod's health, metrics and stats
  // What /health/ready waits for (cluster: NATS and Valkey, kept current by
  // the transports in `resources`).
  std::vector<std::pair<std::string, const std::atomic<bool>*>> health_dependencies;
  std::uint32_t workers = 0; // worker actors this process runs
};

// Embedded: `resources` stays empty. Cluster: connects to NATS (in the
// background if the server is not up yet), provisions the stream and
// consumers, and spawns the transport actors for the role. Throws
// std::runtime_error on configuration errors (bad URL, TLS files).
process_plan plan_process(caf::actor_system& sys, const config& c, graph_context ctx,
                          cluster_resources& resources);

} // namespace taskmesh::app
