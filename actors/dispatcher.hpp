// File: actors/dispatcher.hpp
// Holds accepted tasks in two priority lanes and hands them to workers in
// batches, as workers ask for work and while fewer than max_in_flight tasks
// are out. Lane policy: high first, but while the normal lane has tasks,
// every fifth task handed out comes from it, so sustained high-priority load
// slows normal tasks down but never starves them. The count runs across
// batches, so it also holds when only one slot frees up at a time.
//
// Its tasks come from intake (dispatch, embedded mode) or, on a cluster
// worker pod, from a work source it asks on credit: when workers are idle,
// its lanes are empty and in-flight slots are free, it asks for up to that
// many tasks, split between the lanes by the same 4:1 rule (the source
// cannot see which lane the dispatcher will want next, so it is told). One
// ask is out at a time; none while the process drains.
#pragma once

#include <deque>
#include <vector>

#include "actors/intake_queue.hpp"
#include "actors/messages.hpp"
#include "actors/pipeline.hpp"

namespace taskmesh {

struct dispatcher_state {
  static inline const char* name = "dispatcher";
  dispatcher_config config;
  intake_queue* queue = nullptr; // null with a work source: its tasks never were in the queue
  pipeline_gauges* gauges = nullptr;
  work_source_actor source;      // null: tasks come by dispatch
  bool asking = false;           // a feed request is out
  std::deque<task> high;
  std::deque<task> normal;
  std::vector<worker_actor> idle_workers;
  std::int64_t in_flight = 0;
  std::uint32_t high_streak = 0;   // high tasks handed out in a row while normal waited
  std::uint32_t credit_streak = 0; // high credits asked in a row (the source's normal lane may wait)
};

// Embedded: `source` null, tasks arrive by dispatch. Worker pod: `queue`
// null, tasks arrive from `source`.
dispatcher_actor::behavior_type dispatcher(dispatcher_actor::stateful_pointer<dispatcher_state> self,
                                           dispatcher_config config, intake_queue* queue,
                                           pipeline_gauges* gauges, work_source_actor source);

// Exposed for tests: the lane policy alone. Moves up to n tasks into out;
// `high_streak` carries the 4:1 count from one call to the next.
void take_batch(std::deque<task>& high, std::deque<task>& normal, std::size_t n,
                std::vector<task>& out, std::uint32_t& high_streak);

// The same policy applied to credit: how many of n asked-for tasks should
// come from each lane, as if both had plenty; `streak` carries the count
// from one ask to the next.
struct lane_credit {
  std::uint32_t high = 0;
  std::uint32_t normal = 0;
};
lane_credit split_credit(std::uint32_t n, std::uint32_t& streak);

inline constexpr std::uint32_t high_per_normal = 4;

} // namespace taskmesh
