// File: transport/cluster/cluster_view.hpp
// GET /stats in cluster mode is cluster-wide: counters shared by all workers
// (Valkey), the backlog from the JetStream consumers (pending + ack-pending),
// the records held in Valkey, the live workers (heartbeats), and worker
// utilization and latency percentiles from what the worker pods share
// (transport/valkey/pod_stats.hpp). This reads them, blocking for at most
// the clients' timeouts; the cluster stats actor (actors/cluster_stats.hpp,
// detached) calls it at most once a second. make_stats_share is the writing
// half, called by that actor with a worker pod's window once a second.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "actors/cluster_stats.hpp"
#include "transport/valkey/task_records.hpp"

namespace taskmesh::cluster {

// Pending + ack-pending of each lane's task consumer.
struct lane_backlog {
  std::int64_t high = 0;
  std::int64_t normal = 0;
};
// The backlog by lane, or nullopt if unreadable.
using backlog_reader = std::function<std::optional<lane_backlog>()>;

// GET /stats lists at most this many worker pods by id (the count is exact).
inline constexpr std::size_t listed_worker_pods = 100;

// A source for the cluster stats actor that reads Valkey through its own client
// (owned by the returned function) and the backlog through `backlog`.
cluster_view_source make_cluster_view_source(valkey::valkey_config connection,
                                             valkey::records_options records,
                                             backlog_reader backlog);

// A sink for a worker pod's cluster stats actor that writes its windows under
// `worker_id` through its own client (owned by the returned function).
stats_share_sink make_stats_share(valkey::valkey_config connection, std::string prefix,
                                  std::string worker_id);

} // namespace taskmesh::cluster
