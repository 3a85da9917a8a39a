// File: transport/nats/delivery.hpp
// One message fetched from a durable pull consumer, owned until it is
// settled. Exposes what a worker needs (payload, headers, delivery count,
// stream sequence) and the outcomes: ack, nak (optionally delayed), term,
// and in_progress to extend AckWait for a long task.
//
// Outcomes are JetStream's ack protocol, published by us to the message's
// reply subject ($JS.ACK....): "+ACK", "-NAK", "-NAK {\"delay\":ns}",
// "+TERM", "+WPI". Each is one buffered publish that does not wait for the
// server (ack_sync does, BLOCKING one round trip up to the API timeout). A
// delivery dropped without an outcome is NAKed by its destructor, so a
// forgotten or thrown-away message is redelivered at once instead of
// holding a MaxAckPending slot until AckWait runs out (a consumer at
// MaxAckPending delivers nothing more, see pull_consumer.hpp). abandon()
// opts out: the server redelivers it after AckWait.
//
// Move-only; may be settled from any thread. It keeps the subscription it
// came from (and so nats.c's connection) alive, so it may outlive the
// pull_consumer that fetched it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "transport/nats/nats_error.hpp"
#include "transport/nats/nats_handle.hpp"

namespace taskmesh::nats {

class delivery {
public:
  // Made by pull_consumer::fetch. Outcomes go out on `conn`, which `sub`
  // keeps alive; ack_sync waits up to `sync_timeout`. `late`: the message
  // reached us before the fetch that hands it out, so its AckWait started
  // earlier.
  delivery(msg_ptr msg, std::shared_ptr<natsSubscription> sub, natsConnection* conn,
           std::chrono::milliseconds sync_timeout, bool late);
  ~delivery();

  delivery(delivery&& other) noexcept;
  delivery& operator=(delivery&& other) noexcept;
  delivery(const delivery&) = delete;
  delivery& operator=(const delivery&) = delete;

  std::string_view subject() const noexcept;
  std::string_view data() const noexcept;
  // The first value of header `key`, valid while this delivery lives.
  std::optional<std::string_view> header(const char* key) const noexcept;
  std::string_view msg_id() const noexcept;      // Nats-Msg-Id, "" when absent
  std::string_view traceparent() const noexcept; // "" when absent

  std::uint64_t num_delivered() const noexcept { return num_delivered_; } // 1 on first delivery
  std::uint64_t stream_sequence() const noexcept { return stream_seq_; }
  std::uint64_t num_pending() const noexcept { return num_pending_; } // left in the consumer after this one
  std::int64_t published_at_ns() const noexcept { return timestamp_ns_; } // stream time, UTC
  bool late() const noexcept { return late_; }
  bool settled() const noexcept { return settled_; }

  error ack();
  error ack_sync(); // BLOCKS: waits for the server's confirmation
  error nak();
  error nak(std::chrono::milliseconds delay); // redelivered after `delay`
  error term();        // never redelivered
  error in_progress(); // restarts AckWait; may be repeated; does not settle
  void abandon() noexcept; // settle locally, tell the server nothing

private:
  result<const char*> ack_subject() const; // the $JS.ACK reply subject
  error send(std::string_view body);        // publish to it
  error settle(std::string_view body); // send, and settled from now on
  void nak_if_unsettled() noexcept;

  std::shared_ptr<natsSubscription> sub_;
  natsConnection* conn_ = nullptr;
  std::chrono::milliseconds sync_timeout_{0};
  msg_ptr msg_;
  std::uint64_t num_delivered_ = 0;
  std::uint64_t stream_seq_ = 0;
  std::uint64_t num_pending_ = 0;
  std::int64_t timestamp_ns_ = 0;
  bool late_ = false;
  bool settled_ = false;
};

} // namespace taskmesh::nats
