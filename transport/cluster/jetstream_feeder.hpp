// File: transport/cluster/jetstream_feeder.hpp
// The worker pod's work source (`work_source_actor`, actors/messages.hpp):
// the dispatcher asks it for up to (high, normal) tasks when it has credit,
// and it answers with tasks fetched from the two JetStream pull consumers
// (transport/nats/priority_fetcher.hpp). It fetches only what it was asked
// for (in messages, at the recent tasks per message) and keeps nothing
// itself, so JetStream's ack-pending stays bounded by the dispatcher's
// credit (plus what one open pull request per lane may still bring). Lanes,
// the in-flight bound, idle workers, drain and gauges are the dispatcher's.
// Each task carries a receipt wrapping its JetStream message; the worker
// settles it after the result is in Valkey:
//   done()        -> ack
//   retry_after() -> nak with that delay (redelivered, maybe elsewhere)
//   dead_letter() -> publish to <prefix>.tasks.dead, then term
//   in_progress() -> in-progress ack (extends AckWait while delay_ms runs)
// A task's attempts come from the message's delivery count, so max_attempts
// counts deliveries across all workers. A message that does not decode
// (unknown/disabled type, bad JSON) is dead-lettered at once.
// Fetching blocks (bounded waits): spawn detached.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "actors/pipeline.hpp"
#include "transport/cluster/cluster_metrics.hpp"
#include "transport/nats/connection.hpp"
#include "transport/nats/nats_config.hpp"

namespace taskmesh::cluster {

class cancelled_tasks;

struct feeder_config {
  std::chrono::milliseconds idle_wait{50}; // one fetch's longest wait; then the mailbox runs
  // Tasks cancelled lately (task_event_relay.hpp): such a task reaches its
  // worker marked cancelled, and the worker acks it without running it; a
  // task that will wait on its worker can still be cancelled there.
  cancelled_tasks* cancelled = nullptr;
  cluster_metrics* metrics = nullptr;      // redeliveries, pending acks; null: none
};

// `gauges`: only `draining` is read (answer empty, fetch nothing new).
work_source_actor spawn_jetstream_feeder(caf::actor_system& sys, nats::connection* conn,
                                         nats::stream_options stream,
                                         nats::consumer_options consumers, feeder_config config,
                                         const op_registry* ops, const pipeline_gauges* gauges);

} // namespace taskmesh::cluster
