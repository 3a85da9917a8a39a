// File: actors/intake.hpp
// The actor side of intake. The HTTP threads have already validated the
// tasks and given them ids; this actor drains them from the intake queue in
// bulk and, per round, asks the admission seam (actors/messages.hpp) to
// admit the round. Its answer is final for every task: admitted, a
// duplicate, or refused (queue_full, unavailable). Intake then hands the
// tasks the seam gave back to the local dispatcher (embedded), counts what
// was admitted and answers each waiting HTTP request. It does the same in
// every mode: what "admitted" takes (embedded: a record in memory; cluster:
// a Valkey reservation, JetStream's PubAck, then the record) is the seam's.
// A 202 therefore means the task's record exists (a GET right after it
// finds it) and, in cluster mode, that JetStream stored the task.
#pragma once

#include <chrono>
#include <vector>

#include "actors/intake_queue.hpp"
#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "actors/request_deadlines.hpp"

namespace taskmesh {

struct intake_config {
  std::size_t drain_batch = 1024;               // submissions per drain round
  // Rounds waiting on the admission seam at once. Submissions that arrive
  // meanwhile wait in the queue and go out together in the next round, so a
  // slow seam (cluster: Valkey and JetStream round trips) sees few large
  // batches instead of many single tasks. A cluster api pod keeps one: its
  // seam works one round at a time (apps/taskmesh/config.cpp says why).
  std::uint32_t max_rounds_in_flight = 2;
  // A round's deadline: the seam starts no round past it (it refuses it
  // whole), so the clients' 503 leaves nothing behind.
  std::chrono::milliseconds admit_timeout{10'000};
  // How much longer intake waits for the seam's answer past the deadline
  // (one step the seam began in time may still be finishing); then 503.
  std::chrono::milliseconds admit_grace{1'000};
  // After a round, while fewer than gather_min tasks wait, the next round
  // waits gather_wait for more (0: goes at once). For a seam whose cost is
  // per round whatever it carries (a cluster api pod: a JetStream message
  // and a Valkey call); apps/taskmesh/config.cpp says what it bought.
  std::chrono::microseconds gather_wait{0};
  std::int64_t gather_min = 16;
};

struct intake_state {
  static inline const char* name = "intake";
  intake_config config;
  intake_queue* queue = nullptr;
  std::size_t op_count = 0;
  admission_actor admission;
  dispatcher_actor dispatcher; // runs the tasks the seam gives back; null: none come back
  stats_actor stats;
  std::uint32_t rounds_in_flight = 0;
  // Rounds sent to the seam and not answered yet; one not answered by its
  // deadline plus admit_grace is refused (503) by the sweep.
  request_deadlines rounds;
  bool drain_deferred = false; // woken while at max_rounds_in_flight
};

intake_actor::behavior_type intake(intake_actor::stateful_pointer<intake_state> self,
                                   intake_config config, intake_queue* queue, std::size_t op_count,
                                   admission_actor admission, dispatcher_actor dispatcher,
                                   stats_actor stats);

} // namespace taskmesh
