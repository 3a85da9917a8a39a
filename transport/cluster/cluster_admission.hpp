// File: transport/cluster/cluster_admission.hpp
// The cluster's admission seam (`admission_actor`, actors/messages.hpp):
// intake hands it each round and gets final admissions back, as from the
// embedded memory store. Inside, per round, in this order:
//   1. reserve   idempotency keys in Valkey (keyed tasks only): a key seen
//                before answers the task as a duplicate; a key claimed by
//                a task that never got a record is taken over (the task is
//                published again under that id, JetStream drops the copy)
//   2. publish   the rest to JetStream (jetstream_sink: one message per
//                lane and round) and wait for the PubAcks
//   3. record    the queued records of what JetStream stored
// and only then answers: admitted (202), or refused (queue_full when the
// stream is at --queue-capacity, unavailable otherwise). So a 202 means
// JetStream has the task and its record exists, and no record is written
// for a task JetStream never stored (a crash between the steps leaves no
// record that nothing would ever run; a claim without a record expires or
// is taken over). If the record step fails the task is still durable and
// its worker writes the record: the answer stays admitted. A round reached
// after its deadline is refused before publishing.
// It runs no local dispatch: admitted tasks reach workers through JetStream.
// Valkey and NATS calls block (bounded by their clients' timeouts): it is a
// detached actor with its own Valkey connection and publisher.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "transport/cluster/cluster_health.hpp"
#include "transport/cluster/cluster_metrics.hpp"
#include "transport/nats/connection.hpp"
#include "transport/nats/nats_config.hpp"
#include "transport/valkey/task_records.hpp"
#include "transport/valkey/valkey_config.hpp"

namespace taskmesh::cluster {

struct cluster_admission_config {
  valkey::valkey_config valkey;
  valkey::records_options records;
  nats::stream_options stream;
  cluster_metrics* metrics = nullptr; // publish and call latency, errors; null: none
};

// `conn` must outlive the actor; `health->valkey` follows its Valkey calls.
// Throws std::invalid_argument on a null argument or bad records options.
admission_actor spawn_cluster_admission(caf::actor_system& sys, cluster_admission_config config,
                                        nats::connection* conn, const op_registry* ops,
                                        dependency_health* health);

} // namespace taskmesh::cluster
