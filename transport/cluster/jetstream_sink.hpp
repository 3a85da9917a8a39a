// File: transport/cluster/jetstream_sink.hpp
// The API pod's worker sink (`worker_sink_actor`, actors/messages.hpp):
// publishes accepted tasks to JetStream in batches and answers intake once
// the PubAcks are in, with the ids that could not be stored. Intake answers
// 202 only for stored tasks, so a 202 means JetStream has the task.
//   subject  <prefix>.tasks.high | <prefix>.tasks.normal by priority
//   headers  Nats-Msg-Id = task id (a retried publish never duplicates),
//            traceparent (W3C) when the task has one
//   body     task_to_wire() (actors/codec)
// It releases the intake queue's backlog for every task it was given.
// Publishing blocks (bounded by the publisher's ack timeout): spawn detached.
#pragma once

#include <caf/actor_system.hpp>

#include "actors/intake_queue.hpp"
#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "transport/nats/connection.hpp"
#include "transport/nats/nats_config.hpp"

namespace taskmesh::cluster {

worker_sink_actor spawn_jetstream_sink(caf::actor_system& sys, nats::connection* conn,
                                       nats::stream_options stream, const op_registry* ops,
                                       intake_queue* queue);

} // namespace taskmesh::cluster
