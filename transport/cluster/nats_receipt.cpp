// File: transport/cluster/nats_receipt.cpp
// One mutex per delivery: outcomes are single buffered publishes, so the lock
// is held for microseconds, except that dead-lettering claims the delivery
// under the lock and publishes outside it.
#include "transport/cluster/nats_receipt.hpp"

#include <span>
#include <utility>

#include <spdlog/spdlog.h>

namespace taskmesh::cluster {

// -- nats_warnings ------------------------------------------------------------

void nats_warnings::warn(std::string_view what, const nats::error& e) noexcept {
  try {
    warn(std::string(what) + ": " + nats::to_string(e));
  } catch (...) {
  }
}

void nats_warnings::warn(std::string_view line) noexcept {
  try {
    std::uint64_t held = 0;
    {
      std::lock_guard lock(mtx_);
      ++total_;
      const auto now = std::chrono::steady_clock::now();
      if (now < next_) {
        ++held_back_;
        return;
      }
      next_ = now + interval_;
      held = std::exchange(held_back_, 0);
    }
    if (held > 0)
      spdlog::warn("{} (+{} more warnings held back since the last one)", line, held);
    else
      spdlog::warn("{}", line);
  } catch (...) {
    // Logging must never take a worker down.
  }
}

std::uint64_t nats_warnings::count() const noexcept {
  std::lock_guard lock(mtx_);
  return total_;
}

// -- nats_receipt ---------------------------------------------------------------

struct nats_receipt::shared {
  shared(nats::delivery x, prometheus::Gauge* pending_acks)
    : d(std::move(x)), pending(pending_acks) {}
  shared(const shared&) = delete;
  shared& operator=(const shared&) = delete;
  ~shared() {
    try {
      if (!settled)
        (void)d.nak(abandoned_retry); // settles the delivery: its destructor stays quiet
    } catch (...) {
    }
  }
  std::mutex mtx;
  nats::delivery d;
  bool settled = false;
  pending_ack pending; // released once d is settled (the destructor NAKs first)
};

namespace {

// Header values may not contain line breaks.
std::string header_value(std::string_view text) {
  std::string out(text.substr(0, 512));
  for (auto& c : out)
    if (c == '\r' || c == '\n')
      c = ' ';
  return out;
}

} // namespace

nats_receipt::nats_receipt(nats::delivery d, std::shared_ptr<receipt_context> ctx)
  : s_(std::make_shared<shared>(std::move(d), ctx ? ctx->pending_acks : nullptr)),
    ctx_(std::move(ctx)) {}

bool nats_receipt::settled() const noexcept {
  std::lock_guard lock(s_->mtx);
  return s_->settled;
}

std::uint64_t nats_receipt::num_delivered() const noexcept {
  return s_->d.num_delivered(); // read once at construction, never changes
}

void nats_receipt::done() noexcept {
  try {
    nats::error e;
    {
      std::lock_guard lock(s_->mtx);
      if (std::exchange(s_->settled, true))
        return;
      e = s_->d.ack();
      s_->pending.release();
    }
    if (e)
      ctx_->warnings.warn("jetstream ack failed (the task will be redelivered)", e);
  } catch (...) {
  }
}

void nats_receipt::retry_after(std::uint32_t delay_ms) noexcept {
  try {
    nats::error e;
    {
      std::lock_guard lock(s_->mtx);
      if (std::exchange(s_->settled, true))
        return;
      e = s_->d.nak(std::chrono::milliseconds(delay_ms));
      s_->pending.release();
    }
    if (e)
      ctx_->warnings.warn("jetstream nak failed (redelivered after AckWait)", e);
  } catch (...) {
  }
}

void nats_receipt::in_progress() noexcept {
  try {
    nats::error e;
    {
      std::lock_guard lock(s_->mtx);
      if (s_->settled)
        return;
      e = s_->d.in_progress();
    }
    if (e)
      ctx_->warnings.warn("jetstream in-progress ack failed", e);
  } catch (...) {
  }
}

void nats_receipt::dead_letter() noexcept { dead_letter("out of attempts"); }

// BLOCKS up to the publisher's ack_timeout (default 2 s) for the PubAck of the
// dead letter, on the caller's thread: a worker's (or the feeder's, for a
// message that does not decode). Acceptable only because dead letters are
// rare; the term() must not come before the dead stream has the message, or
// a crash in between would lose the task.
void nats_receipt::dead_letter(std::string_view reason) noexcept {
  try {
    nats::outgoing_message m;
    {
      std::lock_guard lock(s_->mtx);
      if (std::exchange(s_->settled, true))
        return;
      auto& d = s_->d;
      d.in_progress(); // AckWait restarts: the publish below cannot outlast it
      m.subject = ctx_->dead_subject;
      m.msg_id = std::string(d.msg_id()); // a repeated dead letter is de-duplicated
      m.traceparent = std::string(d.traceparent());
      m.headers.emplace_back("Taskmesh-Dead-Reason", header_value(reason));
      m.headers.emplace_back("Taskmesh-Subject", std::string(d.subject()));
      m.payload = std::string(d.data());
    }
    nats::error failure;
    if (!ctx_->dead_letters) {
      failure = nats::make_error(NATS_ILLEGAL_STATE, "no publisher for dead letters");
    } else {
      auto results = ctx_->dead_letters->publish_batch(std::span<const nats::outgoing_message>(&m, 1));
      if (!results.front().ok())
        failure = std::move(results.front().err);
    }
    nats::error e;
    {
      std::lock_guard lock(s_->mtx);
      // Not stored as a dead letter: have it redelivered later and try again.
      e = failure ? s_->d.nak(dead_letter_retry) : s_->d.term();
      s_->pending.release();
    }
    if (failure)
      ctx_->warnings.warn("dead letter not stored (retried after redelivery)", failure);
    else if (e)
      ctx_->warnings.warn("term after dead letter failed (a redelivery is dead-lettered again, de-duplicated)", e);
  } catch (...) {
  }
}

} // namespace taskmesh::cluster
