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
// Use: `const auto id = deadlines.add(now + timeout, on_expire)`, then
// `arm_sweep(self, deadlines)`. The answer's handler first calls
// `settle(id)` and does nothing if it returns false (the deadline passed and
// on_expire ran already). The actor's sweep_atom handler calls
// `expire(now)`, which runs on_expire of every overdue entry, then
// `arm_sweep` again. The sweep is timed for the oldest pending deadline, so
// an entry expires on time; one sweep is on its way at most. An entry runs
// exactly one of its answer handler and on_expire.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include <caf/actor_clock.hpp>

#include "actors/messages.hpp"

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

  // When something is pending and no sweep is on its way: the oldest
  // deadline, for which the caller sends its next sweep (and the sweep is
  // then on its way). Otherwise nothing.
  std::optional<time_point> next_sweep() {
    if (pending_.empty() || sweep_armed_)
      return std::nullopt;
    sweep_armed_ = true;
    auto oldest = pending_.begin()->second.deadline;
    for (const auto& [id, e] : pending_)
      oldest = std::min(oldest, e.deadline);
    return oldest;
  }

  std::size_t size() const noexcept { return pending_.size(); }

private:
  struct entry {
    time_point deadline;
    std::function<void()> on_expire;
  };
  std::map<std::uint64_t, entry> pending_; // by id
  std::uint64_t next_id_ = 0;
  bool sweep_armed_ = false;
};

// Sends `self` a sweep_atom for the oldest pending deadline, unless one is
// on its way already or nothing is pending.
template <class Self>
void arm_sweep(Self* self, request_deadlines& deadlines) {
  if (const auto at = deadlines.next_sweep())
    self->delayed_send(self, std::max<caf::timespan>(*at - self->clock().now(), caf::timespan{0}),
                       sweep_atom::value);
}

} // namespace taskmesh
