// File: transport/cluster/nats_receipt.hpp
// The task_receipt (actors/model/task.hpp) of a task that came from a
// JetStream pull consumer: the jetstream_feeder attaches one to every task it
// hands out, and the worker settles it once the task's record is stored:
//   done()         -> ack
//   retry_after(d) -> nak with delay d (redelivered, to any worker pod)
//   dead_letter()  -> publish the body to <prefix>.tasks.dead (same
//                     Nats-Msg-Id), wait for the PubAck, then term
//   in_progress()  -> in-progress ack (restarts AckWait); may repeat
// Settled exactly once: the first of done/retry_after/dead_letter wins, later
// calls (from any copy, on any thread) do nothing. A receipt whose last copy
// goes unsettled (the worker could not store the result, or shut down) is
// NAKed with abandoned_retry: redelivered soon, to any pod, but not in a
// tight loop while the store is down.
//
// Also here: nats_warnings, the one place where the JetStream actors turn
// NATS failures into (rate-limited) log lines.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <prometheus/gauge.h>

#include "actors/model/task.hpp"
#include "transport/nats/delivery.hpp"
#include "transport/nats/nats_error.hpp"
#include "transport/nats/publisher.hpp"

namespace taskmesh::cluster {

// spdlog::warn for NATS failures, at most one line per `interval`; lines held
// back are counted into the next one ("... (+12 more warnings held back ...)"). Thread-safe:
// receipts are settled on worker threads.
class nats_warnings {
public:
  explicit nats_warnings(std::chrono::milliseconds interval = std::chrono::seconds(1))
    : interval_(interval) {}

  // "<what>: <nats error>". Never throws.
  void warn(std::string_view what, const nats::error& e) noexcept;
  // A line of our own (e.g. a message that does not decode). Never throws.
  void warn(std::string_view line) noexcept;
  // How many failures were reported (logged or held back) so far.
  std::uint64_t count() const noexcept;

private:
  std::chrono::milliseconds interval_;
  mutable std::mutex mtx_;
  std::chrono::steady_clock::time_point next_{};
  std::uint64_t held_back_ = 0;
  std::uint64_t total_ = 0;
};

// What every receipt of one feeder shares. Receipts keep it (and through it
// the publisher) alive, so a receipt that outlives the feeder can still
// dead-letter. Lifetime at shutdown: the publisher and the deliveries use
// the nats::connection, which therefore must outlive the actor system (all
// actors, their mailboxes and timers, and so every task and receipt).
struct receipt_context {
  std::shared_ptr<nats::publisher> dead_letters; // null: dead letters are NAKed for later
  std::string dead_subject;                      // stream_options::dead_subject()
  nats_warnings warnings;
  prometheus::Gauge* pending_acks = nullptr;     // taskmesh_nats_pending_acks; null: none
};

// One taken message in taskmesh_nats_pending_acks, from when it is taken
// until it is settled (ack, nak, term) or dropped (which NAKs it). Not
// thread-safe: its owner calls release() under its own lock.
class pending_ack {
public:
  explicit pending_ack(prometheus::Gauge* g) noexcept : g_(g) {
    if (g_)
      g_->Increment();
  }
  ~pending_ack() { release(); }
  pending_ack(const pending_ack&) = delete;
  pending_ack& operator=(const pending_ack&) = delete;
  void release() noexcept {
    if (g_)
      g_->Decrement();
    g_ = nullptr;
  }

private:
  prometheus::Gauge* g_;
};

// How long a message whose dead-lettering failed (NATS down, no PubAck) waits
// before it is redelivered and dead-lettered again.
inline constexpr std::chrono::milliseconds dead_letter_retry{2'000};

inline constexpr std::chrono::milliseconds abandoned_retry{1'000};

class nats_receipt final : public task_receipt {
public:
  nats_receipt(nats::delivery d, std::shared_ptr<receipt_context> ctx);

  // Copies share the delivery (and its settled-once state).
  nats_receipt(const nats_receipt&) = default;
  nats_receipt& operator=(const nats_receipt&) = default;

  void done() noexcept override;
  void retry_after(std::uint32_t delay_ms) noexcept override;
  void dead_letter() noexcept override;
  void in_progress() noexcept override;

  // dead_letter() with a `Taskmesh-Dead-Reason` header on the dead letter
  // (the feeder uses it for messages that do not decode). BLOCKS up to the
  // publisher's ack_timeout (see the .cpp).
  void dead_letter(std::string_view reason) noexcept;

  // Settled by one of done/retry_after/dead_letter (or dead-lettering started).
  bool settled() const noexcept;
  // The message's delivery count (1 on the first delivery), as the server
  // reported it with this delivery.
  std::uint64_t num_delivered() const noexcept;

private:
  struct shared;
  std::shared_ptr<shared> s_;
  std::shared_ptr<receipt_context> ctx_;
};

} // namespace taskmesh::cluster
