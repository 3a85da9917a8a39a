// File: transport/cluster/envelope_receipt.hpp
// The receipts of tasks that arrived together in one JetStream message (an
// envelope: one intake round's lane, see jetstream_sink.hpp). The message
// is settled once, when every task in it is:
//   done()         -> this task is finished
//   retry_after(d) -> the task alone is published again (same lane, its
//                     "attempts" raised by the delivery count, "retry_at" =
//                     now + d; Nats-Msg-Id "<id>.<attempts>") and finished
//                     here once JetStream stored it; any pod picks it up and
//                     waits out the backoff (actors/worker.cpp)
//   dead_letter()  -> the task alone is published to <prefix>.tasks.dead
//                     (Nats-Msg-Id = task id), finished once stored
//   in_progress()  -> in-progress ack for the whole message
// When the last task is finished the message is acked; if any task was not
// (its receipt dropped unsettled: the store failed, the pod shuts down; or a
// re-publish failed) it is NAKed with abandoned_retry instead, and the
// redelivery runs its tasks again: the update script keeps the first
// terminal record and counts it once, so finished tasks are not counted
// twice.
// Settled once per task: the first of done/retry_after/dead_letter wins.
// Publishes go through the feeder's publisher asynchronously: nothing here
// blocks a worker.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "actors/model/task.hpp"
#include "transport/cluster/nats_receipt.hpp"
#include "transport/nats/delivery.hpp"

namespace taskmesh::cluster {

// One fetched envelope, shared by the receipts of its tasks.
class envelope {
public:
  envelope(nats::delivery d, std::size_t tasks, std::shared_ptr<receipt_context> ctx);
  ~envelope();
  envelope(const envelope&) = delete;
  envelope& operator=(const envelope&) = delete;

  // One task is finished (`redeliver`: it was not, the message must come back).
  void finish_one(bool redeliver) noexcept;
  void in_progress() noexcept;
  // Publishes task `index` alone (see above); `then(ok)` runs once stored or failed.
  void publish_alone(std::size_t index, bool dead, std::uint32_t retry_delay_ms,
                     std::function<void(bool)> then) noexcept;

  std::uint64_t num_delivered() const noexcept { return delivered_; }
  const receipt_context& context() const noexcept { return *ctx_; }

private:
  std::mutex mtx_;
  nats::delivery d_;
  std::size_t open_;
  bool redeliver_ = false;
  std::uint64_t delivered_;
  std::shared_ptr<receipt_context> ctx_;
  pending_ack pending_; // released once d_ is settled (the destructor NAKs first)
};

class envelope_receipt final : public task_receipt {
public:
  envelope_receipt(std::shared_ptr<envelope> e, std::size_t index)
    : e_(std::move(e)), index_(index) {}
  ~envelope_receipt() override;
  envelope_receipt(const envelope_receipt&) = delete;
  envelope_receipt& operator=(const envelope_receipt&) = delete;

  void done() noexcept override;
  void retry_after(std::uint32_t delay_ms) noexcept override;
  void dead_letter() noexcept override;
  void in_progress() noexcept override;

private:
  bool claim() noexcept { return !settled_.exchange(true); }
  std::shared_ptr<envelope> e_;
  std::size_t index_;
  std::atomic<bool> settled_{false};
};

} // namespace taskmesh::cluster
