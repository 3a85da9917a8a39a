// File: transport/cluster/jetstream_sink.hpp
// The API pod's JetStream publisher of tasks, used by cluster_admission:
// publishes one intake round's new tasks and says, per task, once the
// PubAcks are in, whether JetStream stored it. Only stored tasks are
// admitted, so a 202 means JetStream has the task.
//   subject  <prefix>.tasks.high | <prefix>.tasks.normal by priority
//   message  per intake round and lane, the tasks without an idempotency key
//            share one message (an envelope: tasks_to_wire, a JSON array;
//            Nats-Msg-Id = "<first task id>+<n>"); a task with a key, or the
//            only one of its lane, is a message of its own (task_to_wire,
//            Nats-Msg-Id = task id, so a take-over's re-publish is dropped
//            by JetStream's duplicate window), with its traceparent header.
// A stream at its bound (max_msgs/max_bytes from --queue-capacity, discard
// new) refuses the publish: those tasks are refused as queue_full.
// Publishing blocks (bounded by the publisher's ack timeout): call it from
// a detached actor. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

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

class jetstream_sink {
public:
  // `conn` must outlive the sink; `metrics` (may be null): publish latency
  // and errors.
  jetstream_sink(nats::connection* conn, const nats::stream_options& stream,
                 const op_registry* ops, cluster_metrics* metrics = nullptr);
  jetstream_sink(const jetstream_sink&) = delete;
  jetstream_sink& operator=(const jetstream_sink&) = delete;
  ~jetstream_sink(); // waits up to the ack timeout for PubAcks in flight

  // Publishes `tasks` (one message per lane and round, see the .cpp) and
  // answers per task, in order: none (stored), queue_full (the stream is at
  // its bound) or unavailable (down, timeout, refused).
  std::vector<admission::refusal> publish(const std::vector<task>& tasks);

  struct state;

private:
  std::unique_ptr<state> st_;
};

} // namespace taskmesh::cluster
