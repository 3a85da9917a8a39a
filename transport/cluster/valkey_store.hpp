// File: transport/cluster/valkey_store.hpp
// The cluster mode's store: the `store_actor` interface (actors/messages.hpp)
// over Valkey (transport/valkey/task_records). Every pod reads and writes the
// same records, so GET /task/{id} works on any API replica and idempotency
// keys hold across replicas. hiredis calls block: spawn it detached.
// Admissions (claims and queued records) are cluster_admission's, on its
// own connection.
//   update -> task_records::update (ordered, idempotent; counts once); updates
//             waiting in the mailbox together go in one call
//   get    -> task_records::get
//   cancel -> task_records::cancel
//   sweep  -> periodic: heartbeat this worker (if it runs workers), refresh
//             the records gauge, and mark Valkey healthy/unhealthy
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include <caf/actor_system.hpp>

#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "actors/pipeline.hpp"
#include "actors/task_events.hpp"
#include "transport/cluster/cluster_health.hpp"
#include "transport/cluster/cluster_metrics.hpp"
#include "transport/valkey/task_records.hpp"
#include "transport/valkey/valkey_config.hpp"

namespace taskmesh::cluster {

struct valkey_store_config {
  valkey::valkey_config connection;
  valkey::records_options records;
  std::string worker_id;                          // non-empty: send heartbeats as this worker
  std::chrono::milliseconds sweep_interval{1000}; // heartbeat and health refresh
  std::chrono::milliseconds heartbeat_ttl{5000};
  // Told which records an update or cancel changed (set: publish them as
  // live events, transport/cluster/task_event_relay.hpp). An update's
  // changes are told only while some api pod watches (update_reply::watched):
  // nobody publishes events nobody reads. A stream opened later starts from
  // the Valkey record, which carries what its progress needs (delay_ms,
  // attempt_started_at).
  std::function<void(std::span<const task_record* const>)> on_changed;
  // Api pods: their live event streams. While any is open, P:events:watched
  // is kept set (on each sweep, and before a `get` when it was last set more
  // than watched_refresh ago), so worker pods publish their changes. A
  // stream subscribes to the hub before it reads the record, so a change
  // applied before the key was set is in what the read returns, and one
  // applied after it is published: none falls between.
  const task_event_hub* watched_by = nullptr;
  std::chrono::milliseconds watched_ttl{10'000};
  std::chrono::milliseconds watched_refresh{3'000}; // well inside watched_ttl
  cluster_metrics* metrics = nullptr; // call latency, errors, reconnects; null: none
};

// Spawns the store (detached). `ops` maps op indexes to the names stored in
// Valkey; `health->valkey` is kept current.
store_actor spawn_valkey_store(caf::actor_system& sys, valkey_store_config config,
                               const op_registry* ops, pipeline_gauges* gauges,
                               dependency_health* health);

} // namespace taskmesh::cluster
