// File: actors/cluster_stats.hpp
// Cluster mode: the cluster-wide side of GET /stats, as an actor of its own
// (cluster_stats_actor, actors/messages.hpp). It reads the cluster view and
// writes this pod's shared window through the functions it is given
// (transport/cluster/cluster_view.hpp: Valkey and JetStream, blocking for
// at most the clients' timeouts), so spawn_graph() spawns it detached and
// the stats actor never blocks: stats asks it, and answers /stats and
// /events when the reading comes.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "actors/messages.hpp"

namespace taskmesh {

// Reads a cluster_view (blocking, bounded); nullopt if a dependency did not
// answer.
using cluster_view_source = std::function<std::optional<cluster_view>()>;
// Writes a stats_share (blocking, bounded).
using stats_share_sink = std::function<void(stats_share)>;

struct cluster_stats_config {
  cluster_view_source view;  // empty: embedded mode, no cluster stats actor
  stats_share_sink share;    // set on cluster worker pods
  std::chrono::milliseconds cache{1000}; // /stats under load reads Valkey at most this often
};

struct cluster_stats_state {
  static inline const char* name = "cluster_stats";
  cluster_stats_config config;
  std::optional<cluster_view> last;                  // last good reading
  std::chrono::steady_clock::time_point last_read{}; // when it was taken
};

cluster_stats_actor::behavior_type
cluster_stats(cluster_stats_actor::stateful_pointer<cluster_stats_state> self,
              cluster_stats_config config);

} // namespace taskmesh
