// File: actors/request_deadlines.hpp
// Deadlines for an actor's requests sent without a CAF timeout.
//
// Why: `request(dest, timeout, ...)` arms a timer on CAF's clock thread and
// cancels it when the answer comes, each under the clock's lock and with a
// wake-up of that thread. At one request per intake round and per worker
// flush, the clock thread took 8-10% of an embedded server's CPU under load
// (docs/benchmarks.md). Here a request sent with caf::infinite gets its
// deadline in a table, and the owning actor sweeps the table with one
// delayed message at a time while anything is pending: a handful of timers
// per timeout period instead of two clock operations per request.
//
// Use: `const auto id = deadlines.add(now + timeout, on_expire)`; if
// `needs_sweep()`, send yourself a sweep after `sweep_interval(timeout)`.
// The answer's handler first calls `settle(id)` and does nothing if it
// returns false (the deadline passed and on_expire ran already). The sweep
// handler calls `expire(now)`, which runs on_expire of every overdue entry,
// and sends the next sweep if `needs_sweep()` again. An entry runs exactly
// one of its answer handler or on_expire; it may expire up to a quarter of
// its timeout late.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>

#include <caf/actor_clock.hpp>

namespace taskmesh {

class request_deadlines {
public:
  using time_point = caf::actor_clock::time_point;

  std::uint64_t add(time_point deadline, std::function<void()> on_expire) {
    const auto id = next_id_++;
    pending_.emplace(id, entry{deadline, std::move(on_expire)});
    return id;
  }

  // The answer came: true if it still counts (its deadline had not passed).
  bool settle(std::uint64_t id) { return pending_.erase(id) > 0; }

  // Runs on_expire of every entry whose deadline is at or before `now`;
  // marks the sweep that called it as done.
  void expire(time_point now) {
    sweep_armed_ = false;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline <= now) {
        auto on_expire = std::move(it->second.on_expire);
        it = pending_.erase(it);
        on_expire();
      } else {
        ++it;
      }
    }
  }

  // True (once) when something is pending and no sweep is on its way: the
  // caller sends one now.
  bool needs_sweep() {
    if (pending_.empty() || sweep_armed_)
      return false;
    sweep_armed_ = true;
    return true;
  }

  // How often to sweep for requests of this timeout.
  static caf::timespan sweep_interval(caf::timespan timeout) {
    return std::max<caf::timespan>(timeout / 4, std::chrono::milliseconds{10});
  }

  std::size_t size() const noexcept { return pending_.size(); }

private:
  struct entry {
    time_point deadline;
    std::function<void()> on_expire;
  };
  std::map<std::uint64_t, entry> pending_; // by id: ids rise, so oldest first
  std::uint64_t next_id_ = 0;
  bool sweep_armed_ = false;
};

} // namespace taskmesh
