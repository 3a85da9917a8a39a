// File: actors/messages.hpp
// The protocol of the actor graph, in one place: every message type, every
// atom, the error codes, and each actor's typed interface. Read top to bottom
// it shows how a task moves:
//
//   HTTP threads --(intake_queue, lock-free)--> intake --admit--> store
//   intake --dispatch--> dispatcher (cluster: JetStream) [--record--> store]
//   (cluster worker pods: dispatcher --feed(credit)--> JetStream feeder --tasks-->)
//   dispatcher --run--> worker --update--> store
//                                    <--done--  worker --report--> stats
//
// Batches, never single tasks, cross actor mailboxes on the hot path.
// Everything here is plain data or an actor handle; in cluster mode only the
// plain data (as JSON) crosses processes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "actors/model/task.hpp"

namespace taskmesh {

// -- plain messages -----------------------------------------------------------

// The store's answer for one task offered by intake.
struct admission {
  task_id id;                 // the task's id, or the original's for a duplicate
  task_status status = task_status::queued;
  bool duplicate = false;     // idempotency_key seen before: answered as the original
  // false: the store only reserved `id` (cluster: a record is written only
  // after JetStream stored the task, so none can exist for a task that never
  // reached it). Intake then hands the task to the sink under `id` and sends
  // `record` once the sink took it. A duplicate that is not recorded is a
  // retry of a request that claimed the key and may have died before
  // publishing: it is published again under the original id, which
  // JetStream de-duplicates, and answered as a duplicate.
  bool recorded = true;
};

// A worker sink's answer to a dispatch: the tasks it did NOT take (usually
// none), and why. Intake answers their submissions 503 queue_full when the
// sink is at capacity (cluster: the task stream's max_msgs/max_bytes, set by
// --queue-capacity), else 503 unavailable.
struct dispatch_answer {
  std::vector<task_id> refused;
  bool queue_full = false;
};

// Per-op counters, indexed by op_index.
struct op_tally {
  std::uint64_t submitted = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t dead = 0;
  std::uint64_t retried = 0;
  std::uint64_t cancelled = 0;
};

// What a worker (or intake) tells stats after a batch.
struct stats_report {
  std::vector<op_tally> by_op;
  std::vector<std::uint32_t> queue_wait_us;  // sampled: submitted -> first start
  std::vector<std::uint32_t> processing_us;  // sampled: start of the run -> end
  std::uint64_t busy_ns = 0;                 // worker time spent running ops
};

struct latency_summary {
  double p50_ms = 0;
  double p99_ms = 0;
  std::uint64_t samples = 0;
};

// Everything GET /stats shows; assembled by the stats actor.
struct stats_snapshot {
  std::string mode;
  std::uint64_t submitted = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t dead = 0;
  std::uint64_t retried = 0;
  std::uint64_t cancelled = 0;
  std::int64_t backlog = 0;      // accepted, not yet started
  std::int64_t backlog_high = 0; // of which in the high-priority lane
  std::int64_t in_flight = 0;    // started (incl. waiting out a delay/backoff), not terminal
  std::int64_t records = 0;      // result records held
  std::uint32_t workers = 0;
  std::vector<std::string> worker_pods; // cluster: ids of the live worker pods (at most 100)
  double uptime_s = 0;
  double worker_utilization = 0; // 0..1 over the last window
  std::vector<std::pair<std::string, op_tally>> by_type;
  latency_summary queue_wait;
  latency_summary processing;
};

// Outcome of a record lookup for the HTTP side.
struct lookup_result {
  enum class kind : std::uint8_t { found, not_found, unavailable };
  kind outcome = kind::not_found;
  task_record record;
};

// The store's answer to DELETE /task/{id}: whether this call cancelled the
// task, and the record as it is now (terminal `cancelled` on success).
struct cancel_result {
  enum class kind : std::uint8_t { cancelled, not_cancellable, not_found, unavailable };
  kind outcome = kind::not_found;
  task_record record;
};

// Callbacks handed to the bridge by non-actor code (HTTP threads). They run on
// the bridge's thread and must only post the result back to their executor.
using lookup_callback = std::function<void(lookup_result)>;
using stats_callback = std::function<void(stats_snapshot)>;
using cancel_callback = std::function<void(cancel_result)>;

// -- inspect (to_string in logs and tests; these never leave the process via CAF)

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task& x) {
  auto prio = static_cast<std::uint8_t>(x.prio);
  return f(caf::meta::type_name("task"), x.id, x.op, prio, x.max_attempts, x.attempts,
           x.delay_ms, x.submitted_at, x.started_at, x.payload, x.params, x.idempotency_key,
           x.tenant);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_record& x) {
  auto prio = static_cast<std::uint8_t>(x.prio);
  auto status = static_cast<std::uint8_t>(x.status);
  return f(caf::meta::type_name("task_record"), x.id, x.op, prio, status, x.attempts,
           x.max_attempts, x.submitted_at, x.started_at, x.finished_at, x.next_attempt_at,
           x.result, x.error, x.idempotency_key, x.tenant);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, admission& x) {
  auto status = static_cast<std::uint8_t>(x.status);
  return f(caf::meta::type_name("admission"), x.id, status, x.duplicate, x.recorded);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cancel_result& x) {
  auto outcome = static_cast<std::uint8_t>(x.outcome);
  return f(caf::meta::type_name("cancel_result"), outcome, x.record);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dispatch_answer& x) {
  return f(caf::meta::type_name("dispatch_answer"), x.refused, x.queue_full);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, op_tally& x) {
  return f(caf::meta::type_name("op_tally"), x.submitted, x.succeeded, x.failed, x.dead,
           x.retried, x.cancelled);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stats_report& x) {
  return f(caf::meta::type_name("stats_report"), x.by_op, x.queue_wait_us, x.processing_us,
           x.busy_ns);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, latency_summary& x) {
  return f(caf::meta::type_name("latency_summary"), x.p50_ms, x.p99_ms, x.samples);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stats_snapshot& x) {
  return f(caf::meta::type_name("stats_snapshot"), x.mode, x.submitted, x.succeeded, x.failed,
           x.dead, x.retried, x.cancelled, x.backlog, x.backlog_high, x.in_flight, x.records,
           x.workers, x.worker_pods, x.uptime_s,
           x.worker_utilization, x.by_type, x.queue_wait, x.processing);
}

// -- errors -------------------------------------------------------------------

enum class errc : std::uint8_t {
  not_found = 1, // no record for this id
  unavailable,   // a dependency cannot take the request now
};

std::string to_string(errc x);

} // namespace taskmesh

CAF_ERROR_CODE_ENUM(taskmesh::errc, "taskmesh")

// -- type IDs and atoms ---------------------------------------------------------

CAF_BEGIN_TYPE_ID_BLOCK(taskmesh, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::task))
  CAF_ADD_TYPE_ID(taskmesh, (std::vector<taskmesh::task>))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::task_id))
  CAF_ADD_TYPE_ID(taskmesh, (std::vector<taskmesh::task_id>))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::task_record))
  CAF_ADD_TYPE_ID(taskmesh, (std::vector<taskmesh::task_record>))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::admission))
  CAF_ADD_TYPE_ID(taskmesh, (std::vector<taskmesh::admission>))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::dispatch_answer))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::stats_report))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::stats_snapshot))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::lookup_callback))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::stats_callback))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::cancel_result))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::cancel_callback))

  CAF_ADD_ATOM(taskmesh, taskmesh, drain_atom, "drain")       // intake: the queue went non-empty
  CAF_ADD_ATOM(taskmesh, taskmesh, admit_atom, "admit")       // store: record or reserve new tasks
  CAF_ADD_ATOM(taskmesh, taskmesh, record_atom, "record")     // store: record reserved tasks the sink took
  CAF_ADD_ATOM(taskmesh, taskmesh, dispatch_atom, "dispatch") // dispatcher: accepted tasks
  CAF_ADD_ATOM(taskmesh, taskmesh, run_atom, "run")           // worker: a batch to run
  CAF_ADD_ATOM(taskmesh, taskmesh, resume_atom, "resume")     // worker: a task's delay_ms ran out
  CAF_ADD_ATOM(taskmesh, taskmesh, retry_atom, "retry")       // worker: a retry backoff ran out
  CAF_ADD_ATOM(taskmesh, taskmesh, flush_atom, "flush")       // worker: send finished work on
  CAF_ADD_ATOM(taskmesh, taskmesh, done_atom, "done")         // dispatcher: a worker finished n
  CAF_ADD_ATOM(taskmesh, taskmesh, feed_atom, "feed")         // work source: up to n tasks, please
  CAF_ADD_ATOM(taskmesh, taskmesh, update_atom, "update")     // store: record state changes
  CAF_ADD_ATOM(taskmesh, taskmesh, forget_atom, "forget")     // store: drop refused admissions
  CAF_ADD_ATOM(taskmesh, taskmesh, get_atom, "get")           // store/stats: read
  CAF_ADD_ATOM(taskmesh, taskmesh, sweep_atom, "sweep")       // store: expire old records
  CAF_ADD_ATOM(taskmesh, taskmesh, report_atom, "report")     // stats: counters + samples
  CAF_ADD_ATOM(taskmesh, taskmesh, tick_atom, "tick")         // stats: refresh gauges
  CAF_ADD_ATOM(taskmesh, taskmesh, cancel_atom, "cancel")     // store, worker: cancel a task not yet run
CAF_END_TYPE_ID_BLOCK(taskmesh)

// std::function cannot be serialized; these callbacks only ever travel
// between actors of one process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(taskmesh::lookup_callback)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(taskmesh::stats_callback)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(taskmesh::cancel_callback)

namespace taskmesh {

// -- typed interfaces ---------------------------------------------------------

// Runs tasks. Pulls: it tells the dispatcher when it wants more, so its
// mailbox never holds more than one batch from the dispatcher.
// A task that waits (delay_ms, a retry backoff) stays in the worker under a
// ticket; the timer and a cancel name it by that ticket.
using worker_actor = caf::typed_actor<
  caf::reacts_to<run_atom, std::vector<task>>,
  caf::reacts_to<resume_atom, std::uint64_t>,   // a wait for delay_ms ran out
  caf::reacts_to<retry_atom, std::uint64_t>,    // a retry backoff ran out
  caf::reacts_to<cancel_atom, std::uint64_t>,   // a waiting task was cancelled: drop it now
  caf::reacts_to<flush_atom>>;

// Where intake hands accepted tasks: it answers with the tasks it could NOT
// take (usually none). Embedded: the dispatcher. Cluster: the JetStream
// publisher, which answers once the PubAcks are in.
using worker_sink_actor = caf::typed_actor<
  caf::replies_to<dispatch_atom, std::vector<task>>::with<dispatch_answer>>;

// Where a dispatcher without intake gets its tasks (cluster worker pods: the
// JetStream feeder). The dispatcher asks only when it has credit (idle
// workers, free in-flight slots, empty lanes), for (high, normal): up to
// that many tasks from each lane, split by its lane policy; credit a lane
// cannot use may go to the other. At most one ask is out at a time. The
// answer comes once there are tasks (an envelope message brings all of its
// tasks, so the answer may hold more than asked), or empty when the source
// stops (draining). Tasks carry their receipts.
using work_source_actor = caf::typed_actor<
  caf::replies_to<feed_atom, std::uint32_t, std::uint32_t>::with<std::vector<task>>>;

// Priority lanes, the in-flight bound, and hand-out of batches to workers.
// It is the embedded worker sink; on cluster worker pods it takes its tasks
// from a work source instead (work_source_actor above).
using dispatcher_actor = caf::typed_actor<
  caf::replies_to<dispatch_atom, std::vector<task>>::with<dispatch_answer>,
  // (worker, tasks it brought to a terminal state, whether it wants a batch)
  caf::reacts_to<done_atom, worker_actor, std::uint32_t, bool>>;

// Drains the intake queue, has the store record the tasks, answers the HTTP
// side, forwards accepted tasks to the dispatcher.
using intake_actor = caf::typed_actor<caf::reacts_to<drain_atom>>;

// Holds task records. Embedded: in memory. Cluster: Valkey.
using store_actor = caf::typed_actor<
  // Idempotency first: duplicates are answered with the original. The
  // others are recorded now (embedded) or only reserved (recorded = false).
  caf::replies_to<admit_atom, std::vector<task_record>>::with<std::vector<admission>>,
  // The queued records of reserved tasks the sink has taken; the answer
  // carries each record's current status (a fast worker may be ahead).
  caf::replies_to<record_atom, std::vector<task_record>>::with<std::vector<admission>>,
  caf::reacts_to<update_atom, std::vector<task_record>>,
  // Undo admissions whose acceptance intake gave up on (timeout): the
  // client was told 503, so records written for them must go.
  caf::reacts_to<forget_atom, std::vector<task_id>>,
  caf::replies_to<get_atom, task_id>::with<task_record>,
  // DELETE /task/{id}: a queued or delayed task becomes `cancelled` (its
  // worker then drops it); anything else is left as it is.
  caf::replies_to<cancel_atom, task_id>::with<cancel_result>,
  caf::reacts_to<sweep_atom>>;

// Counters, latency windows, gauges, Prometheus series.
using stats_actor = caf::typed_actor<
  caf::reacts_to<report_atom, stats_report>,
  caf::replies_to<get_atom>::with<stats_snapshot>,
  caf::reacts_to<tick_atom>>;

// Lets non-actor code (HTTP threads) ask actors without blocking: the answer
// arrives through a callback.
using bridge_actor = caf::typed_actor<
  caf::reacts_to<get_atom, task_id, lookup_callback>,
  caf::reacts_to<get_atom, stats_callback>,
  // Cancels through the store and counts a success with stats.
  caf::reacts_to<cancel_atom, task_id, cancel_callback>>;

} // namespace taskmesh
