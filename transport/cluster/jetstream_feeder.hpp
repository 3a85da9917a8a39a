// File: transport/cluster/jetstream_feeder.hpp
// The worker pod's dispatcher (`dispatcher_actor`, actors/messages.hpp):
// fetches tasks from the JetStream pull consumers (high before normal, see
// transport/nats/priority_fetch.hpp) while workers ask for work and fewer
// than max_in_flight tasks are out, and hands them to the same worker actors
// the embedded mode uses. Each task carries a receipt wrapping its JetStream
// message; the worker settles it after the result is in Valkey:
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
  dispatcher_config dispatch;             // max_in_flight, batch_size (<= nats::max_fetch_batch)
  std::chrono::milliseconds idle_wait{50}; // one fetch's wait when there is nothing to do
  // Tasks cancelled lately (task_event_relay.hpp): such a task reaches its
  // worker marked cancelled, and the worker acks it without running it; a
  // task that will wait on its worker can still be cancelled there.
  cancelled_tasks* cancelled = nullptr;
  cluster_metrics* metrics = nullptr;      // redeliveries, pending acks; null: none
};

dispatcher_actor spawn_jetstream_feeder(caf::actor_system& sys, nats::connection* conn,
                                        nats::stream_options stream,
                                        nats::consumer_options consumers, feeder_config config,
                                        const op_registry* ops, pipeline_gauges* gauges);

} // namespace taskmesh::cluster
