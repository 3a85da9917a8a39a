// File: actors/messages.hpp
// The protocol of the actor graph, in one place: every message type, every
// atom, the error codes, and each actor's typed interface. Read top to bottom
// it shows how a task moves:
//
//   HTTP threads --(intake_queue, lock-free)--> intake --admit--> admission seam
//     (embedded: the store records the round and gives its new tasks back,
//      intake --dispatch--> dispatcher; cluster: Valkey + JetStream, durable)
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
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "actors/model/task.hpp"

namespace taskmesh {

// -- plain messages -----------------------------------------------------------

// One intake round offered to the admission seam, and the deadline after
// which the seam must not start admitting it (intake has given up by then
// and answers 503): a round reached late is refused whole, so a 503 never
// leaves a record or a published task behind it.
struct admission_request {
  std::vector<task> tasks;
  caf::actor_clock::time_point deadline;
};

// The admission seam's answer for one task of a round, final: the task is
// admitted (recorded; cluster: also stored by JetStream, so durable), a
// duplicate of an earlier task with its idempotency key, or refused.
struct admission {
  // Why a task was not admitted. queue_full: the queue is at its bound
  // (cluster: the task stream's max_msgs, set by --queue-capacity);
  // unavailable: a dependency could not take it (or the deadline passed).
  enum class refusal : std::uint8_t { none, queue_full, unavailable };
  task_id id;                 // the task's id, or the original's for a duplicate
  task_status status = task_status::queued;
  bool duplicate = false;     // idempotency_key seen before: answered as the original
  refusal refused = refusal::none;
};

// The whole answer for a round: one admission per task, in order, and the
// admitted tasks the seam did not send on itself. Embedded: all new tasks
// (intake hands them to the local dispatcher); cluster: none (JetStream has
// them and worker pods take them from there).
struct admission_answer {
  std::vector<admission> admissions;
  std::vector<task> run_here;
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

// Cluster mode: the numbers GET /stats shows are cluster-wide (counters
// shared by all workers, the JetStream backlog, records in Valkey, live
// workers), not this process's. Read by the cluster stats actor.
struct cluster_view {
  op_tally totals; // the counters every pod shares, over all ops
  std::int64_t backlog = 0;
  std::int64_t backlog_high = 0; // of backlog: the high lane's
  std::int64_t in_flight = 0;
  std::int64_t records = 0;
  std::uint32_t workers = 0;
  std::vector<std::string> worker_pods; // live worker ids (heartbeats), at most 100
  std::vector<std::pair<std::string, op_tally>> by_type;
  // What the worker pods share (stats_share below): utilization over the
  // pods whose last window is fresh (nullopt: none is), and percentiles of
  // the cluster's most recent latency samples (nullopt: none yet).
  std::optional<double> worker_utilization;
  std::optional<latency_summary> queue_wait;
  std::optional<latency_summary> processing;
};

// What a worker pod shares once a second in cluster mode, so that /stats on
// any pod can show cluster-wide utilization and latency: its last
// utilization window and the latency samples taken since the last share.
struct stats_share {
  std::uint64_t busy_ns = 0;     // workers' time running ops in the window
  std::uint64_t capacity_ns = 0; // window length x workers
  std::vector<std::uint32_t> queue_wait_us;
  std::vector<std::uint32_t> processing_us;
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
typename Inspector::result_type inspect(Inspector& f, rare_string& x) {
  auto text = x.str(); // a copy, as for the enums below: only ever printed
  return f(text);
}

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
  auto refused = static_cast<std::uint8_t>(x.refused);
  return f(caf::meta::type_name("admission"), x.id, status, x.duplicate, refused);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, admission_request& x) {
  return f(caf::meta::type_name("admission_request"), x.tasks, x.deadline);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, admission_answer& x) {
  return f(caf::meta::type_name("admission_answer"), x.admissions, x.run_here);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cancel_result& x) {
  auto outcome = static_cast<std::uint8_t>(x.outcome);
  return f(caf::meta::type_name("cancel_result"), outcome, x.record);
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
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::admission_request))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::admission_answer))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::stats_report))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::stats_snapshot))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::lookup_callback))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::stats_callback))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::cancel_result))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::cancel_callback))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::cluster_view))
  CAF_ADD_TYPE_ID(taskmesh, (taskmesh::stats_share))

  CAF_ADD_ATOM(taskmesh, taskmesh, drain_atom, "drain")       // intake: the queue went non-empty
  CAF_ADD_ATOM(taskmesh, taskmesh, admit_atom, "admit")       // admission: a round, until durable
  CAF_ADD_ATOM(taskmesh, taskmesh, dispatch_atom, "dispatch") // dispatcher: accepted tasks
  CAF_ADD_ATOM(taskmesh, taskmesh, run_atom, "run")           // worker: a batch to run
  CAF_ADD_ATOM(taskmesh, taskmesh, resume_atom, "resume")     // worker: a task's delay_ms ran out
  CAF_ADD_ATOM(taskmesh, taskmesh, retry_atom, "retry")       // worker: a retry backoff ran out
  CAF_ADD_ATOM(taskmesh, taskmesh, flush_atom, "flush")       // worker: send finished work on
  CAF_ADD_ATOM(taskmesh, taskmesh, done_atom, "done")         // dispatcher: a worker finished n
  CAF_ADD_ATOM(taskmesh, taskmesh, feed_atom, "feed")         // work source: up to n tasks, please
  CAF_ADD_ATOM(taskmesh, taskmesh, update_atom, "update")     // store: record state changes
  CAF_ADD_ATOM(taskmesh, taskmesh, get_atom, "get")           // store/stats: read
  CAF_ADD_ATOM(taskmesh, taskmesh, sweep_atom, "sweep")       // store: expire old records; worker, intake: overdue requests
  CAF_ADD_ATOM(taskmesh, taskmesh, report_atom, "report")     // stats: counters + samples
  CAF_ADD_ATOM(taskmesh, taskmesh, tick_atom, "tick")         // stats: refresh gauges
  CAF_ADD_ATOM(taskmesh, taskmesh, cancel_atom, "cancel")     // store, worker: cancel a task not yet run
CAF_END_TYPE_ID_BLOCK(taskmesh)

// std::function cannot be serialized; these callbacks only ever travel
// between actors of one process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(taskmesh::lookup_callback)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(taskmesh::stats_callback)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(taskmesh::cancel_callback)
// Plain data, but with std::optional members CAF 0.17 cannot inspect; they
// too stay inside one process (each pod reads Valkey itself).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(taskmesh::cluster_view)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(taskmesh::stats_share)

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
  caf::reacts_to<flush_atom>,
  caf::reacts_to<sweep_atom>>;                  // give up on store writes past store_timeout

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
// Intake hands it the tasks the admission seam gives back (embedded); on
// cluster worker pods it takes its tasks from a work source instead
// (work_source_actor above).
using dispatcher_actor = caf::typed_actor<
  // Its lanes take every task: nothing to answer.
  caf::reacts_to<dispatch_atom, std::vector<task>>,
  // (worker, tasks it brought to a terminal state, whether it wants a batch)
  caf::reacts_to<done_atom, worker_actor, std::uint32_t, bool>>;

// Drains the intake queue, has the admission seam admit each round,
// answers the HTTP side, hands the tasks given back to the dispatcher.
using intake_actor = caf::typed_actor<caf::reacts_to<drain_atom>,
                                      caf::reacts_to<sweep_atom>>; // give up on overdue rounds

// Admits intake rounds until they are durable: idempotency first
// (duplicates are answered with the original), then the new tasks are
// recorded (embedded: the in-memory store, in one step) or, in cluster
// mode, reserved in Valkey, stored by JetStream (PubAck) and only then
// recorded (transport/cluster/cluster_admission). Every answer is final.
using admission_actor = caf::typed_actor<
  caf::replies_to<admit_atom, admission_request>::with<admission_answer>>;

// Holds task records. Embedded: in memory. Cluster: Valkey.
using store_actor = caf::typed_actor<
  caf::reacts_to<update_atom, std::vector<task_record>>,
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

// Cluster mode: the cluster-wide side of stats, on a thread of its own
// because it blocks on Valkey and JetStream (bounded). `get` reads the
// cluster view at most once per cache period and answers the last good
// reading when a read fails (errc::unavailable when there is none);
// `report` shares a worker pod's window (stats sends it every tick).
using cluster_stats_actor = caf::typed_actor<
  caf::replies_to<get_atom>::with<cluster_view>,
  caf::reacts_to<report_atom, stats_share>>;

// Lets non-actor code (HTTP threads) ask actors without blocking: the answer
// arrives through a callback.
using bridge_actor = caf::typed_actor<
  caf::reacts_to<get_atom, task_id, lookup_callback>,
  caf::reacts_to<get_atom, stats_callback>,
  // Cancels through the store and counts a success with stats.
  caf::reacts_to<cancel_atom, task_id, cancel_callback>>;

} // namespace taskmesh
