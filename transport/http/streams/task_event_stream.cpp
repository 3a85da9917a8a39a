// File: transport/http/streams/task_event_stream.cpp
#include "transport/http/streams/task_event_stream.hpp"

#include <algorithm>

#include "actors/codec/task_codec.hpp"
#include "transport/http/streams/sse.hpp"

namespace taskmesh::http {
namespace {

// How often a delayed task's progress is sent: ten steps per delay, at most
// ten a second and at least one a second.
std::chrono::milliseconds progress_interval(std::uint32_t delay_ms) {
  return std::clamp(std::chrono::milliseconds(delay_ms / 10), std::chrono::milliseconds(100),
                    std::chrono::milliseconds(1000));
}

} // namespace

std::unique_ptr<task_event_stream> task_event_stream::open(context& ctx, asio::any_io_executor ex,
                                                           const task_id& id, std::string tenant) {
  std::unique_ptr<task_event_stream> s{new task_event_stream(ctx, std::move(ex))};
  s->hub_stream_ = ctx.events->open(std::move(tenant), s->signal_->waker());
  if (!s->hub_stream_)
    return nullptr;
  s->kept_ = ctx.events->watch(*s->hub_stream_, id);
  return s;
}

void task_event_stream::start(const task_record& current, std::optional<std::uint64_t> last_id) {
  if (last_id) {
    sent_ = static_cast<std::uint32_t>(std::min<std::uint64_t>(*last_id, UINT32_MAX));
    for (const auto& e : kept_)
      add(*e);
    add(current);
  } else {
    add(current);
    for (const auto& e : kept_)
      add(*e);
  }
  kept_.clear();
}

// A status event for `r`, unless the client has seen this transition (or a
// later one) already.
void task_event_stream::add(const task_record& r) {
  if (done_)
    return;
  const auto seq = transition_seq(r);
  if (sent_ && seq <= *sent_)
    return;
  append_sse(pending_, "status", seq, record_to_json(r, *ctx_.ops));
  sent_ = seq;
  last_ = r;
  progress_ = -1;
  next_progress_ = clock::now();
  done_ = is_terminal(r.status);
}

std::optional<int> delay_progress(timestamp now_us, timestamp attempt_started_at,
                                  std::uint32_t delay_ms) {
  if (attempt_started_at <= 0 || delay_ms == 0)
    return std::nullopt;
  // Clamped as a double: a wrong start (0 was one) made the quotient too large
  // for an int, and the cast undefined.
  const double waited_us = static_cast<double>(now_us - attempt_started_at);
  return static_cast<int>(std::clamp(waited_us / (delay_ms * 10.0), 0.0, 100.0));
}

// While the task waits out its delay: 0-100 by the wall clock (the worker
// stamped when the wait began). True if an event was added.
bool task_event_stream::add_progress(clock::time_point now) {
  if (last_.status != task_status::running || last_.delay_ms == 0 || progress_ >= 100 ||
      now < next_progress_)
    return false;
  const auto pct = delay_progress(now_us(), last_.attempt_started_at, last_.delay_ms);
  next_progress_ = now + progress_interval(last_.delay_ms);
  if (!pct || *pct <= progress_)
    return false;
  progress_ = *pct;
  append_sse(pending_, "progress", *sent_,
             R"({"id":")" + last_.id.to_string() + R"(","progress":)" + std::to_string(*pct) + "}");
  return true;
}

awaitable<std::optional<std::string>> task_event_stream::next() {
  for (;;) {
    if (!pending_.empty()) {
      last_write_ = clock::now();
      co_return std::exchange(pending_, {});
    }
    if (done_)
      co_return std::nullopt;
    for (const auto& e : hub_stream_->take())
      add(*e);
    if (!pending_.empty())
      continue;
    if (hub_stream_->closed())
      co_return std::nullopt; // shutdown, or dropped for falling behind
    const auto now = clock::now();
    if (add_progress(now))
      continue;
    const auto heartbeat_at = last_write_ + ctx_.stream_heartbeat;
    if (now >= heartbeat_at) {
      pending_ = sse_heartbeat;
      continue;
    }
    auto wake_at = heartbeat_at;
    if (last_.status == task_status::running && last_.delay_ms > 0 && progress_ < 100)
      wake_at = std::min(wake_at, next_progress_);
    co_await signal_->wait_until(wake_at);
  }
}

} // namespace taskmesh::http
