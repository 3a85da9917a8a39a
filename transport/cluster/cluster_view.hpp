// File: transport/cluster/cluster_view.hpp
// GET /stats in cluster mode is cluster-wide: counters shared by all workers
// (Valkey), the backlog from the JetStream consumers (pending + ack-pending),
// the records held in Valkey and the live workers (heartbeats). This reads
// them, blocking for at most the clients' timeouts; the stats actor calls it
// at most once a second (actors/stats.hpp, cluster_view_source).
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "actors/stats.hpp"
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

// A source for the stats actor that reads Valkey through its own client
// (owned by the returned function) and the backlog through `backlog`.
cluster_view_source make_cluster_view_source(valkey::valkey_config connection,
                                             valkey::records_options records,
                                             backlog_reader backlog);

} // namespace taskmesh::cluster
