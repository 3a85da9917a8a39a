// File: transport/nats/pub_ack.hpp
// What a JetStream PubAck reply says, read from the reply message itself:
// the publisher's batch path (publisher.hpp) reads its PubAcks on the
// calling thread instead of through nats.c's async-publish machinery, so it
// decodes them here, the way nats.c's own async handler does:
//   - a "no responders" status message (no stream listens on the subject):
//     NATS_NO_RESPONDERS;
//   - {"error":{"code":..,"err_code":N,"description":".."}}: NATS_ERR with
//     js_code N and the description as text (stream_full() reads it);
//   - {"stream":"..","seq":N[,"duplicate":true]}: stored (or a duplicate of
//     sequence N);
//   - anything else: NATS_ERR "invalid PubAck".
#pragma once

#include <string_view>

#include "transport/nats/nats_error.hpp"

namespace taskmesh::nats {

struct publish_result {
  error err;                  // empty: stored (or a duplicate of a stored one)
  std::uint64_t sequence = 0; // stream sequence
  bool duplicate = false;     // msg_id seen within the window: nothing new stored

  bool ok() const noexcept { return !err; }
};

// The reply's payload as JSON (no status check).
publish_result parse_pub_ack(std::string_view json);

// The whole reply: a no-responders status first, then the payload.
publish_result read_pub_ack(natsMsg* reply);

} // namespace taskmesh::nats
