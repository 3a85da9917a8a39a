// File: bench/loadgen/load_loops.cpp
#include "bench/loadgen/load_loops.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bench/loadgen/e2e_parse.hpp"

namespace taskmesh::loadgen {

namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// After failed connects, wait 10 ms doubling to 0.5 s, so a dead server is
// not hammered by a hot reconnect loop.
asio::awaitable<void> connect_backoff(asio::steady_timer& timer, int failures) {
  const auto wait = std::min(std::chrono::milliseconds(10) * (1 << std::min(failures - 1, 6)),
                             std::chrono::milliseconds(500));
  timer.expires_after(wait);
  co_await timer.async_wait(use_tuple);
}

} // namespace

void record_exchange(thread_state& state, const exchange_result& r, steady::time_point timed_from,
                     steady::time_point done) noexcept {
  auto& s = state.stats;
  s.bytes_sent += r.bytes_sent;
  s.bytes_received += r.bytes_received;
  if (r.connected) ++s.connects;
  if (r.error)
    s.add_error(*r.error);
  else
    s.add_response(r.status, elapsed_us(timed_from, done));
  state.last_done = std::max(state.last_done, done);
}

void keep_accepted(const loop_plan& plan, thread_state& state, const exchange_result& r,
                   steady::time_point due) {
  if (!plan.keep_accepted || r.error || r.status < 200 || r.status >= 300)
    return;
  if (auto ids = parse_accepted_ids(r.body)) {
    const auto due_us = plan.keep_accepted->epoch_us(due);
    for (auto& id : *ids)
      state.accepted.push_back({std::move(id), due_us});
  }
}

std::uint64_t measured_slots_left(std::uint64_t slot, std::uint64_t end, std::uint64_t stride,
                                  std::uint64_t first_measured) noexcept {
  if (slot < first_measured) slot += (first_measured - slot + stride - 1) / stride * stride;
  return slot >= end ? 0 : (end - slot - 1) / stride + 1;
}

asio::awaitable<void> closed_loop(body_context ctx, const loop_plan& plan, thread_state& state,
                                  std::atomic<std::uint64_t>& claimed) {
  state.start = ctx.start;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto measure_from = ctx.start + plan.warmup;
  const auto end = plan.duration ? measure_from + *plan.duration : steady::time_point::max();
  int connect_failures = 0;
  for (;;) {
    const auto sent = steady::now();
    if (sent >= end) break;
    const bool measured = sent >= measure_from;
    if (!plan.duration && measured &&
        claimed.fetch_add(1, std::memory_order_relaxed) >= plan.requests)
      break;
    const auto r = co_await ctx.conn.exchange(plan.request, plan.keep_accepted != nullptr);
    if (measured) {
      record_exchange(state, r, sent, steady::now());
      keep_accepted(plan, state, r, sent);
    }
    if (r.error == transport_error::connect)
      co_await connect_backoff(timer, ++connect_failures);
    else
      connect_failures = 0;
  }
}

asio::awaitable<void> open_loop(body_context ctx, const loop_plan& plan,
                                const open_loop_schedule& schedule, thread_state& state) {
  state.start = ctx.start;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const std::uint64_t first_measured = schedule.first_slot_at(plan.warmup);
  const std::uint64_t end_slot = plan.duration
                                     ? schedule.first_slot_at(plan.warmup + *plan.duration)
                                     : first_measured + plan.requests;
  const auto drain_until = ctx.start + schedule.intended(end_slot) + plan.drain;
  const auto stride = static_cast<std::uint64_t>(schedule.connections());
  int connect_failures = 0;
  for (std::uint64_t k = 0;; ++k) {
    const std::uint64_t slot = schedule.slot(ctx.index, k);
    if (slot >= end_slot) break;
    const auto now = steady::now();
    if (now > drain_until) {
      state.stats.add_error(transport_error::unsent,
                            measured_slots_left(slot, end_slot, stride, first_measured));
      break;
    }
    const auto send = plan_send(ctx.start + schedule.intended(slot), now);
    if (send.send_at > now) {
      timer.expires_at(send.send_at);
      co_await timer.async_wait(use_tuple);
    }
    const bool measured = slot >= first_measured;
    const auto sent = steady::now();
    const auto r = co_await ctx.conn.exchange(plan.request, plan.keep_accepted != nullptr);
    if (measured) {
      record_exchange(state, r, send.timed_from, steady::now());
      keep_accepted(plan, state, r, send.timed_from);
      state.stats.send_lag_us.record(elapsed_us(send.timed_from, sent));
    }
    if (r.error == transport_error::connect)
      co_await connect_backoff(timer, ++connect_failures);
    else
      connect_failures = 0;
  }
}

} // namespace taskmesh::loadgen
