// File: transport/nats/publisher.hpp
// JetStream publishing with one PubAck outcome per message, so the API can
// answer 202 only for tasks the stream has stored.
//
// Two entry points:
//   publish_async  nats.c's async publish (per-message PubAck timeout, an ack
//                  handler): does not wait; `on_ack(index, result)` runs
//                  once per message, on a nats.c thread (or inline for a
//                  message refused up front). It must only record or post.
//   publish_batch  BLOCKS until every message has its outcome, at most
//                  publish_options::ack_timeout. Meant for a detached actor
//                  (the api pod's admission). It publishes with replies to
//                  the publisher's own inbox and reads the PubAcks on the
//                  calling thread (pub_ack.hpp), so a PubAck wakes the caller
//                  directly: through nats.c's async path it woke the reply
//                  subscription's delivery thread first, which then woke the
//                  caller (one thread hop per round, ~50 us of CPU and a
//                  run-queue wait on a busy machine), and armed a timer per
//                  message on nats.c's timer thread.
//
// Each message carries Nats-Msg-Id = msg_id (the task id): within the
// stream's duplicate window a repeat is not stored again and its result
// says `duplicate` with the original sequence. A `traceparent` header (W3C
// trace context) travels when set.
//
// Failing fast: while the connection is not connected, nothing is handed to
// nats.c (which would buffer it and send it after a reconnect, after we had
// already reported a failure); every message fails at once with
// NATS_CONNECTION_DISCONNECTED. A PubAck that does not come within
// ack_timeout fails with NATS_TIMEOUT. Like any lost reply, a timeout is
// ambiguous: the message may be stored; publishing it again with the same
// msg_id is safe within the duplicate window.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "transport/nats/connection.hpp"
#include "transport/nats/pub_ack.hpp"

namespace taskmesh::nats {

struct outgoing_message {
  std::string subject;
  std::string msg_id;      // Nats-Msg-Id; empty: no de-duplication
  std::string traceparent; // W3C traceparent header; empty: none
  std::vector<std::pair<std::string, std::string>> headers; // any further headers
  std::string payload;     // bytes
};

using ack_fn = std::function<void(std::size_t index, publish_result result)>;

struct publisher_probe {
  std::atomic<std::uint64_t> published{0};  // handed to nats.c
  std::atomic<std::uint64_t> stored{0};     // PubAck, new message
  std::atomic<std::uint64_t> duplicates{0}; // PubAck, duplicate
  std::atomic<std::uint64_t> failed{0};     // error reply, timeout, or refused
};

class publisher {
public:
  // Creates the publisher's own JetStream context (the ack handler is a
  // context option). No I/O.
  static result<std::unique_ptr<publisher>> create(connection& conn, const publish_options& opts);

  // BLOCKS up to ack_timeout: waits for the PubAcks in flight; messages
  // still unanswered then get their callback with NATS_CONNECTION_CLOSED.
  ~publisher();

  publisher(const publisher&) = delete;
  publisher& operator=(const publisher&) = delete;

  // Hands the messages to nats.c and returns. Blocks only while max_pending
  // publishes are already in flight, never past ack_timeout from the call.
  void publish_async(std::span<const outgoing_message> batch, ack_fn on_ack);

  // BLOCKS up to ack_timeout. results[i] belongs to batch[i]. One call at a
  // time (concurrent callers take turns); a PubAck that comes after its
  // call gave up is read and dropped by a later call.
  std::vector<publish_result> publish_batch(std::span<const outgoing_message> batch);

  const publisher_probe& probe() const noexcept;

  struct impl;

private:
  explicit publisher(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace taskmesh::nats
