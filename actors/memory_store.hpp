// File: actors/memory_store.hpp
// The embedded mode's result store: task records in memory, bounded.
// - admit (the embedded admission seam, in one step): records new tasks as
//   queued, each with the run claim a cancel uses, and gives them back for
//   the local dispatcher; an idempotency_key seen before makes the task a
//   duplicate of the original (nothing is created). A round reached after
//   its deadline is refused whole (intake has answered 503 by then).
// - update: applies state changes sent by workers.
// - bounds: at most max_records; when full, the oldest terminal records go
//   first. Terminal records also expire result_ttl after they finished.
//   Queued and running records are never evicted (the queue capacity and
//   max-in-flight already bound how many there can be).
#pragma once

#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "actors/record_table.hpp"

namespace taskmesh {

struct memory_store_state {
  static inline const char* name = "memory_store";
  store_config config;
  pipeline_gauges* gauges = nullptr;
  record_table records;
  std::unordered_map<std::string, task_id> by_idempotency_key;
  // Terminal records in the order they finished: eviction and expiry order.
  std::deque<std::pair<timestamp, task_id>> finished_order;
};

// The store and the admission seam at once (embedded mode).
using memory_store_actor = store_actor::extend_with<admission_actor>;

memory_store_actor::behavior_type
memory_store(memory_store_actor::stateful_pointer<memory_store_state> self, store_config config,
             pipeline_gauges* gauges);

} // namespace taskmesh
