// File: bench/loadgen/open_loop_schedule.hpp
// When each open-loop request is meant to go out, independent of when the
// server answers. The run is a sequence of global slots g = 0, 1, 2, ... at
// g / rate seconds after the start; connection c owns the slots c, c + C,
// c + 2C, ..., so the aggregate stays evenly spaced. A connection that is
// still busy when its slot is due sends as soon as it is free, and the
// request is timed from the slot, not from the late send: a stalled server
// shows up as latency in every request it delayed (no coordinated omission).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace taskmesh::loadgen {

using steady = std::chrono::steady_clock;

class open_loop_schedule {
public:
  open_loop_schedule(double rate_per_s, int connections) noexcept
      : rate_(rate_per_s), connections_(static_cast<std::uint64_t>(connections)) {}

  // Intended send time of slot g, relative to the start of the run.
  std::chrono::nanoseconds intended(std::uint64_t slot) const noexcept {
    const long double ns = static_cast<long double>(slot) * 1e9L / static_cast<long double>(rate_);
    return std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
  }

  // The k-th slot of connection `conn`.
  std::uint64_t slot(int conn, std::uint64_t k) const noexcept {
    return k * connections_ + static_cast<std::uint64_t>(conn);
  }

  // The first slot whose intended time is at or after `t`; slots before it
  // belong to the warm-up when t is the warm-up length.
  std::uint64_t first_slot_at(std::chrono::nanoseconds t) const noexcept {
    if (t.count() <= 0) return 0;
    auto g = static_cast<std::uint64_t>(static_cast<long double>(t.count()) *
                                        static_cast<long double>(rate_) / 1e9L);
    // Settle rounding against intended() itself, so both agree exactly.
    while (g > 0 && intended(g - 1) >= t) --g;
    while (intended(g) < t) ++g;
    return g;
  }

  double rate() const noexcept { return rate_; }
  int connections() const noexcept { return static_cast<int>(connections_); }

private:
  double rate_;
  std::uint64_t connections_;
};

// The one decision a connection makes per open-loop request: send at the
// intended time or, if it is already late, now; and time it from intended.
struct send_plan {
  steady::time_point send_at;
  steady::time_point timed_from;
};

inline send_plan plan_send(steady::time_point intended, steady::time_point now) noexcept {
  return {std::max(intended, now), intended};
}

// Whole microseconds from `from` to `to`, 0 if `to` is earlier.
inline std::uint64_t elapsed_us(steady::time_point from, steady::time_point to) noexcept {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
  return us > 0 ? static_cast<std::uint64_t>(us) : 0;
}

} // namespace taskmesh::loadgen
