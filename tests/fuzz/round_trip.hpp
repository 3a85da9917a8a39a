// File: tests/fuzz/round_trip.hpp
// What both decoder fuzzers compare tasks by, and the check they end with:
// a task that was accepted encodes to valid wire JSON and decodes back to
// the same task (what cluster mode does with every task it publishes and
// every message it redelivers).
#pragma once

#include "actors/codec/task_codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace taskmesh::fuzz {

// Every field the codec carries but the id and submission time (which a
// request parse makes new each time).
inline bool same_fields(const task& a, const task& b) {
  return a.op == b.op && a.prio == b.prio && a.max_attempts == b.max_attempts &&
         a.attempts == b.attempts && a.delay_ms == b.delay_ms && a.retry_at == b.retry_at &&
         a.payload == b.payload && a.params == b.params &&
         a.idempotency_key == b.idempotency_key && a.traceparent == b.traceparent &&
         a.tenant == b.tenant;
}

// The same task: same_fields, the id and the submission time too.
inline bool same_task(const task& a, const task& b) {
  return a.id == b.id && a.submitted_at == b.submitted_at && same_fields(a, b);
}

inline void check_wire_round_trip(const task& t, const op_registry& ops) {
  const std::string wire = task_to_wire(t, ops);
  check(is_json(wire), "wire form is not JSON", wire);
  auto back = task_from_wire(wire, ops);
  const task* u = std::get_if<task>(&back);
  if (!u)
    fail("task does not decode from its wire form", wire);
  check(same_task(*u, t), "wire round trip changed the task", wire);
}

} // namespace taskmesh::fuzz
