// File: tests/fuzz/round_trip.hpp
// The check both decoder fuzzers end with: a task that was accepted encodes
// to valid wire JSON and decodes back to the same task (what cluster mode
// does with every task it publishes and every message it redelivers).
#pragma once

#include "actors/codec/task_codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace taskmesh::fuzz {

inline void check_wire_round_trip(const task& t, const op_registry& ops) {
  const std::string wire = task_to_wire(t, ops);
  check(is_json(wire), "wire form is not JSON", wire);
  auto back = task_from_wire(wire, ops);
  const task* u = std::get_if<task>(&back);
  if (!u)
    fail("task does not decode from its wire form", wire);
  check(u->id == t.id && u->op == t.op && u->prio == t.prio && u->max_attempts == t.max_attempts &&
          u->delay_ms == t.delay_ms && u->payload == t.payload && u->params == t.params &&
          u->idempotency_key == t.idempotency_key && u->submitted_at == t.submitted_at &&
          u->traceparent == t.traceparent,
        "wire round trip changed the task", wire);
}

} // namespace taskmesh::fuzz
