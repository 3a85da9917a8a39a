// File: bench/loadgen/load_loops.hpp
// What one connection does in the closed and open modes: a coroutine that
// sends the run's request until the run is over, recording each measured
// exchange in its thread's stats. Closed loop: send, wait for the answer,
// send again. Open loop: send on the schedule (open_loop_schedule.hpp),
// timing from the intended send time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bench/loadgen/accepted_ids.hpp"
#include "bench/loadgen/open_loop_schedule.hpp"
#include "bench/loadgen/run_stats.hpp"
#include "bench/loadgen/runner.hpp"

namespace taskmesh::loadgen {

struct loop_plan {
  std::string_view request; // the serialized request, sent as is
  std::chrono::nanoseconds warmup{0};
  std::optional<std::chrono::nanoseconds> duration; // nullopt: count-based
  std::uint64_t requests = 0;                       // count-based: measured requests in all
  // Open loop: how long after the last slot's intended time a connection
  // may keep sending its backlog; slots still unsent then count as "unsent".
  std::chrono::nanoseconds drain{0};
  // Set: keep the ids of measured 2xx answers (thread_state::accepted),
  // their due times mapped onto the wall clock by it.
  const wall_clock_mapping* keep_accepted = nullptr;
};

// Per-thread state: only the coroutines of one thread touch it.
struct thread_state {
  run_stats stats;
  steady::time_point start{};     // the run's shared start
  steady::time_point last_done{}; // latest completion of a measured exchange
  std::vector<accepted_task> accepted; // only with loop_plan::keep_accepted
};

boost::asio::awaitable<void> closed_loop(body_context ctx, const loop_plan& plan,
                                         thread_state& state, std::atomic<std::uint64_t>& claimed);

boost::asio::awaitable<void> open_loop(body_context ctx, const loop_plan& plan,
                                       const open_loop_schedule& schedule, thread_state& state);

// Adds one exchange to `state`; `timed_from` is the send time (closed) or
// the intended send time (open).
void record_exchange(thread_state& state, const exchange_result& r, steady::time_point timed_from,
                     steady::time_point done) noexcept;

// With plan.keep_accepted: the ids of a measured 2xx answer, due at `due`.
void keep_accepted(const loop_plan& plan, thread_state& state, const exchange_result& r,
                   steady::time_point due);

// Slots of connection-stride `stride` from `slot` (inclusive) up to `end`
// (exclusive) that are at or after `first_measured`: what "unsent" counts.
std::uint64_t measured_slots_left(std::uint64_t slot, std::uint64_t end, std::uint64_t stride,
                                  std::uint64_t first_measured) noexcept;

} // namespace taskmesh::loadgen
