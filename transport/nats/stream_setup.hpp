// File: transport/nats/stream_setup.hpp
// Start-up provisioning, idempotent (run it on every start, from every
// process):
//
//   stream TASKS        WorkQueue, file   subjects <prefix>.tasks.high
//                                                  <prefix>.tasks.normal
//     consumer <dp>_high     pull, explicit ack, filter .high
//     consumer <dp>_normal   pull, explicit ack, filter .normal
//   stream TASKS_DEAD   Limits, file      subject  <prefix>.tasks.dead
//                                         (max age / max msgs, oldest dropped)
//
// Dead letters live in their own Limits stream, not in TASKS: a WorkQueue
// stream deletes a message once any consumer acks it and refuses a second
// consumer whose filter overlaps an existing one, so dead letters there
// could be read by exactly one durable and would vanish when read. In a
// Limits stream they stay until they age out, and any number of readers
// (ops tools, a replay job, `nats stream view`) can browse them.
//
// Every call BLOCKS for a few JetStream API round trips, each bounded by
// connection_options::api_timeout.
#pragma once

#include <cstdint>
#include <string>

#include "transport/nats/connection.hpp"

namespace taskmesh::nats {

// Creates the two streams, or updates them to `opts` when they exist with
// another configuration. A change the server refuses (e.g. retention) is
// returned as the error; nothing is ever deleted here.
error ensure_streams(connection& conn, const stream_options& opts);

// Creates or updates the two durable pull consumers of TASKS.
error ensure_consumers(connection& conn, const stream_options& stream,
                       const consumer_options& opts);

// Consumer state for stats: messages waiting to be delivered (NumPending)
// and delivered but not yet acked (NumAckPending).
struct consumer_stats {
  std::uint64_t pending = 0;
  std::int64_t ack_pending = 0;
  std::int64_t redelivered = 0;  // delivered more than once, not yet acked
  std::int64_t created_ns = 0;   // when the consumer was created (UTC): a new value means re-created
  std::int64_t waiting_pulls = 0; // pull requests the server holds
};
result<consumer_stats> consumer_info(connection& conn, const std::string& stream,
                                     const std::string& durable);

struct stream_stats {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t last_sequence = 0;
};
result<stream_stats> stream_info(connection& conn, const std::string& stream);

} // namespace taskmesh::nats
