// File: actors/intake.hpp
// The actor side of intake. The HTTP threads have already validated the
// tasks and given them ids; this actor drains them from the intake queue in
// bulk and, per round:
//   admit (store)     settles idempotency keys; records the tasks (embedded)
//                     or only reserves their ids (cluster)
//   dispatch (sink)   embedded: the dispatcher; cluster: JetStream
//   record (store)    cluster only: the queued records of what the sink took
// and then answers each waiting HTTP request. A 202 therefore means the sink
// holds the task (in cluster mode: JetStream stored it) and its record
// exists, so a GET right after the 202 finds it (a cluster store failing at
// the record step leaves that to the worker; the task is durable, so the
// answer is still 202). In cluster mode no record
// is written before JetStream has the task, so a crash between the steps
// leaves no record that nothing would ever run.
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
  // Give each task a run_claim (task.hpp) so DELETE /task/{id} can stop it:
  // only where the tasks stay in this process (local dispatcher).
  bool run_claims = false;
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
