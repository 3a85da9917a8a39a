// File: transport/cluster/jetstream_sink.hpp
// The API pod's worker sink (`worker_sink_actor`, actors/messages.hpp):
// publishes accepted tasks to JetStream and answers intake once the PubAcks
// are in, with the ids that could not be stored. Intake answers 202 only for
// stored tasks, so a 202 means JetStream has the task.
//   subject  <prefix>.tasks.high | <prefix>.tasks.normal by priority
//   message  per intake round and lane, the tasks without an idempotency key
//            share one message (an envelope: tasks_to_wire, a JSON array;
//            Nats-Msg-Id = "<first task id>+<n>"); a task with a key, or the
//            only one of its lane, is a message of its own (task_to_wire,
//            Nats-Msg-Id = task id, so a take-over's re-publish is dropped
//            by JetStream's duplicate window), with its traceparent header.
// A stream at its bound (max_msgs/max_bytes from --queue-capacity, discard
// new) refuses the publish: those tasks are answered queue_full.
// It releases the intake queue's backlog for every task it was given.
// Publishing blocks (bounded by the publisher's ack timeout): spawn detached.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/intake_queue.hpp"
#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "transport/cluster/cluster_metrics.hpp"
#include "transport/nats/connection.hpp"
#include "transport/nats/nats_config.hpp"

namespace taskmesh::cluster {

// Bounds of one envelope: well inside NATS's default max_payload (1 MB).
inline constexpr std::size_t envelope_max_tasks = 256;
inline constexpr std::size_t envelope_max_bytes = 512 * 1024;
// JSON field names, id, timestamps: what a task's wire object adds to its strings.
inline constexpr std::size_t envelope_task_overhead = 200;

// `metrics` (may be null): publish latency and errors.
worker_sink_actor spawn_jetstream_sink(caf::actor_system& sys, nats::connection* conn,
                                       nats::stream_options stream, const op_registry* ops,
                                       intake_queue* queue, cluster_metrics* metrics = nullptr);

} // namespace taskmesh::cluster
