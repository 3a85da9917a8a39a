// File: actors/dispatcher.hpp
// Holds accepted tasks in two priority lanes and hands them to workers in
// batches, as workers ask for work and while fewer than max_in_flight tasks
// are out. Lane policy: high first, but while the normal lane has tasks,
// every fifth task handed out comes from it, so sustained high-priority load
// slows normal tasks down but never starves them. The count runs across
// batches, so it also holds when only one slot frees up at a time.
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
  intake_queue* queue = nullptr;
  pipeline_gauges* gauges = nullptr;
  std::deque<task> high;
  std::deque<task> normal;
  std::vector<worker_actor> idle_workers;
  std::int64_t in_flight = 0;
  std::uint32_t high_streak = 0; // high tasks handed out in a row while normal waited
};

dispatcher_actor::behavior_type dispatcher(dispatcher_actor::stateful_pointer<dispatcher_state> self,
                                           dispatcher_config config, intake_queue* queue,
                                           pipeline_gauges* gauges);

// Exposed for tests: the lane policy alone. Moves up to n tasks into out;
// `high_streak` carries the 4:1 count from one call to the next.
void take_batch(std::deque<task>& high, std::deque<task>& normal, std::size_t n,
                std::vector<task>& out, std::uint32_t& high_streak);

inline constexpr std::uint32_t high_per_normal = 4;

} // namespace taskmesh
