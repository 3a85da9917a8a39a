// File: transport/cluster/envelope_receipt.cpp
#include "transport/cluster/envelope_receipt.hpp"

#include <optional>
#include <span>
#include <string>
#include <utility>

#include "actors/codec/task_codec.hpp"
#include "actors/model/clock.hpp"

namespace taskmesh::cluster {

envelope::envelope(nats::delivery d, std::size_t tasks, std::shared_ptr<receipt_context> ctx)
  : d_(std::move(d)), open_(tasks), delivered_(d_.num_delivered()), ctx_(std::move(ctx)),
    pending_(ctx_ ? ctx_->pending_acks : nullptr) {}

// Every receipt holds the envelope, so this runs after the last task was
// finished (then the message is settled) or dropped (counted as redeliver).
envelope::~envelope() {
  try {
    if (!d_.settled())
      (void)d_.nak(abandoned_retry);
  } catch (...) {
  }
}

void envelope::finish_one(bool redeliver) noexcept {
  try {
    nats::error e;
    bool again = false;
    {
      std::lock_guard lock(mtx_);
      redeliver_ = redeliver_ || redeliver;
      if (open_ == 0 || --open_ > 0)
        return;
      again = redeliver_;
      e = again ? d_.nak(abandoned_retry) : d_.ack();
      pending_.release();
    }
    if (e)
      ctx_->warnings.warn(again ? "jetstream nak of an envelope failed (redelivered after AckWait)"
                                : "jetstream ack of an envelope failed (redelivered; its finished "
                                  "tasks are not counted again)",
                          e);
  } catch (...) {
  }
}

void envelope::in_progress() noexcept {
  try {
    nats::error e;
    {
      std::lock_guard lock(mtx_);
      if (open_ == 0)
        return;
      e = d_.in_progress();
    }
    if (e)
      ctx_->warnings.warn("jetstream in-progress ack failed", e);
  } catch (...) {
  }
}

void envelope::publish_alone(std::size_t index, bool dead, std::uint32_t retry_delay_ms,
                             std::function<void(bool)> then) noexcept {
  try {
    nats::outgoing_message m;
    std::optional<wire_task> body;
    {
      std::lock_guard lock(mtx_);
      const auto retry_at = dead ? 0 : now_us() + static_cast<timestamp>(retry_delay_ms) * 1000;
      // This delivery's attempt counts as made: the copy starts from there.
      body = task_with_attempts(d_.data(), index, static_cast<std::uint32_t>(delivered_), retry_at);
      m.subject = dead ? ctx_->dead_subject : std::string(d_.subject());
      if (dead)
        m.headers.emplace_back("Taskmesh-Subject", std::string(d_.subject()));
    }
    if (!body) {
      ctx_->warnings.warn("envelope: task " + std::to_string(index) + " not found in its message");
      then(false);
      return;
    }
    m.payload = std::move(body->body);
    m.msg_id = dead ? body->id : body->id + "." + std::to_string(delivered_);
    if (dead)
      m.headers.emplace_back("Taskmesh-Dead-Reason", "out of attempts");
    if (!ctx_->dead_letters) {
      ctx_->warnings.warn("envelope: no publisher for re-published tasks (the message is redelivered)");
      then(false);
      return;
    }
    ctx_->dead_letters->publish_async(
      std::span<const nats::outgoing_message>(&m, 1),
      [ctx = ctx_, then = std::move(then)](std::size_t, nats::publish_result r) {
        if (!r.ok())
          ctx->warnings.warn("re-publishing a task of an envelope failed (the message is redelivered)",
                             r.err);
        then(r.ok());
      });
  } catch (...) {
    if (then) // not yet handed to the publisher
      then(false);
  }
}

envelope_receipt::~envelope_receipt() {
  if (claim())
    e_->finish_one(true);
}

void envelope_receipt::done() noexcept {
  if (claim())
    e_->finish_one(false);
}

void envelope_receipt::retry_after(std::uint32_t delay_ms) noexcept {
  if (claim())
    e_->publish_alone(index_, false, delay_ms, [e = e_](bool ok) { e->finish_one(!ok); });
}

void envelope_receipt::dead_letter() noexcept {
  if (claim())
    e_->publish_alone(index_, true, 0, [e = e_](bool ok) { e->finish_one(!ok); });
}

void envelope_receipt::in_progress() noexcept {
  if (!settled_.load())
    e_->in_progress();
}

} // namespace taskmesh::cluster
