// File: apps/taskmesh/wiring.hpp
// The only place that decides, from the configuration, which actors fill the
// graph's seams: the in-memory store and local dispatcher (embedded), or the
// Valkey store, the JetStream publisher and the JetStream feeder (cluster,
// by role). It also owns the connections those actors use.
#pragma once

#include <memory>

#include <caf/actor_system.hpp>

#include "actors/graph.hpp"
#include "apps/taskmesh/config.hpp"
#include "transport/cluster/cluster_health.hpp"
#include "transport/cluster/task_event_relay.hpp"
#include "transport/cluster/cluster_metrics.hpp"
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

graph_config graph_config_from(const config& c);

// Embedded: `resources` stays empty. Cluster: connects to NATS (in the
// background if the server is not up yet), provisions the stream and
// consumers, and spawns the transport actors for the role. Throws
// std::runtime_error on configuration errors (bad URL, TLS files).
actor_graph build_graph(caf::actor_system& sys, const config& c, graph_context ctx,
                        cluster_resources& resources);

} // namespace taskmesh::app
