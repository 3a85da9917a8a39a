// File: actors/worker.hpp
// Runs tasks. A worker takes a batch from the dispatcher, starts every task
// in it (a task with delay_ms waits on a CAF timer, not on a thread), runs
// the op, and collects what happened in an outbox that it sends on as one
// message each to the store, stats and the dispatcher. The dispatcher hears
// of finished tasks (and a transport receipt is settled) only once the store
// confirmed their records. Transient failures are retried after a backoff,
// until max_attempts; then the task is dead. The backoff is a local timer,
// or, for a task that came with a receipt (cluster mode), a redelivery by the
// transport after that delay, so any worker may pick the retry up.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "actors/pipeline.hpp"
#include "actors/request_deadlines.hpp"

namespace taskmesh {

// Time as a worker reads it: one steady-clock read per op run, chained (the
// end of one run is the start of the next), and wall-clock timestamps
// derived from one system-clock read per batch. Clock reads were half of a
// worker's own cost when taken four times per task.
class batch_clock {
public:
  using steady = std::chrono::steady_clock;
  void reset() {
    wall0_ = now_us();
    steady0_ = last_ = steady::now();
  }
  steady::time_point last() const noexcept { return last_; }
  steady::time_point tick() { return last_ = steady::now(); }
  timestamp wall_now() const noexcept {
    return wall0_ + std::chrono::duration_cast<std::chrono::microseconds>(last_ - steady0_).count();
  }

private:
  timestamp wall0_ = 0;
  steady::time_point steady0_{};
  steady::time_point last_{};
};

struct worker_state {
  static inline const char* name = "worker";
  const op_registry* ops = nullptr;
  retry_policy retry;
  op_budget::limits op_limits;
  store_actor store;
  stats_actor stats;
  dispatcher_actor dispatcher;
  std::uint64_t random_state = 0;
  batch_clock clock;

  // What happened since the last flush.
  std::vector<task_record> updates;
  std::vector<std::function<void()>> settlements; // receipts, once updates are stored
  stats_report report;
  std::uint32_t finished = 0;
  bool flush_scheduled = false;
  // Tasks waiting out delay_ms or a retry backoff, by ticket (see hold()).
  std::unordered_map<std::uint64_t, task> waiting;
  std::uint64_t next_ticket = 0;
  // Store writes sent and not answered yet; one given up on after
  // store_timeout frees its tasks' slots without settling their receipts.
  request_deadlines store_writes;
  std::chrono::milliseconds store_timeout{10'000};
};

worker_actor::behavior_type worker(worker_actor::stateful_pointer<worker_state> self,
                                   const op_registry* ops, retry_policy retry,
                                   op_budget::limits op_limits, store_actor store,
                                   stats_actor stats, dispatcher_actor dispatcher);

} // namespace taskmesh
