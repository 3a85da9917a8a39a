// File: actors/intake.hpp
// The actor side of intake. The HTTP threads have already validated the
// tasks and given them ids; this actor drains them from the intake queue in
// bulk, has the store record them (which also settles idempotency keys),
// hands the accepted ones to the worker sink (embedded: the dispatcher;
// cluster: JetStream) and answers each waiting HTTP request once the sink
// confirmed. A task is acknowledged (202) only once its record exists and
// its sink holds it, so a GET right after the 202 always finds it, and in
// cluster mode a 202 means JetStream stored the task.
#pragma once

#include <vector>

#include "actors/intake_queue.hpp"
#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"

namespace taskmesh {

struct intake_config {
  std::size_t drain_batch = 1024;               // submissions per drain round
  // Rounds waiting on the store/sink at once. Submissions that arrive
  // meanwhile wait in the queue and go out together in the next round, so a
  // slow store (Valkey, JetStream: a round trip each) sees few large batches
  // instead of many single tasks.
  std::uint32_t max_rounds_in_flight = 2;
  std::chrono::milliseconds admit_timeout{10'000};
};

struct intake_state {
  static inline const char* name = "intake";
  intake_config config;
  intake_queue* queue = nullptr;
  std::size_t op_count = 0;
  store_actor store;
  worker_sink_actor sink;
  stats_actor stats;
  std::uint32_t rounds_in_flight = 0;
  bool drain_deferred = false; // woken while at max_rounds_in_flight
};

intake_actor::behavior_type intake(intake_actor::stateful_pointer<intake_state> self,
                                   intake_config config, intake_queue* queue, std::size_t op_count,
                                   store_actor store, worker_sink_actor sink, stats_actor stats);

} // namespace taskmesh
