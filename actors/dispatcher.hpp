// File: actors/dispatcher.hpp
// Holds accepted tasks in two priority lanes and hands them to workers in
// batches, as workers ask for work and while fewer than max_in_flight tasks
// are out. Lane policy: while both lanes have tasks, each batch takes at
// least a fifth from the normal lane, so sustained high-priority load slows
// normal tasks down but never starves them.
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
};

dispatcher_actor::behavior_type dispatcher(dispatcher_actor::stateful_pointer<dispatcher_state> self,
                                           dispatcher_config config, intake_queue* queue,
                                           pipeline_gauges* gauges);

// Exposed for tests: the lane policy alone. Moves up to n tasks into out.
void take_batch(std::deque<task>& high, std::deque<task>& normal, std::size_t n,
                std::vector<task>& out);

} // namespace taskmesh
