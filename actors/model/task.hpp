// File: actors/model/task.hpp
// The task as it flows through the pipeline, and the record a client reads
// back with GET /task/{id}. Plain data only: these cross actor boundaries by
// value and (in cluster mode) process boundaries as JSON.
#pragma once

#include <cstdint>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "actors/model/clock.hpp"
#include "actors/model/rare_string.hpp"
#include "actors/model/task_id.hpp"

namespace taskmesh {

enum class priority : std::uint8_t { normal = 0, high = 1 };

// `cancelled`: DELETE /task/{id} stopped it before it ran (terminal).
enum class task_status : std::uint8_t { queued, running, succeeded, failed, dead, cancelled };

std::string_view to_string(priority p) noexcept;
// "high" or "normal" (to_string's names); nullopt for any other.
std::optional<priority> priority_named(std::string_view name) noexcept;
std::string_view to_string(task_status s) noexcept;
bool is_terminal(task_status s) noexcept;

// Index of an op in the op registry. Stable for one build of the binary
// (disabled ops keep their index), so it is safe inside one process; across
// processes ops travel by name.
using op_index = std::uint16_t;

// How a transport wants to hear what became of a task it delivered
// (cluster mode: a JetStream message to ack, redeliver later, or dead-letter).
// Workers call it only after the task's record is stored. Embedded tasks
// have none.
class task_receipt {
public:
  virtual ~task_receipt() = default;
  virtual void done() noexcept = 0;                          // terminal: acknowledge
  virtual void retry_after(std::uint32_t delay_ms) noexcept = 0; // redeliver later
  virtual void dead_letter() noexcept = 0;                   // out of attempts
  virtual void in_progress() noexcept = 0;                   // still working on it
};

// Decides whether a cancel or a worker's run came first for a task inside
// one process: shared by the task and whoever can cancel it (embedded: its
// record in the memory store; cluster worker pods: the cancelled-task list
// of transport/cluster/task_event_relay.hpp). A worker claims the task right
// before running its op; a cancel succeeds only while nobody holds that
// claim. A worker holding the task while it waits (delay_ms, a retry
// backoff) asks to be told when a cancel wins, so the task gives back its
// in-flight slot at once rather than when the wait ends.
class run_claim {
public:
  run_claim() = default;
  run_claim(const run_claim&) = delete;
  run_claim& operator=(const run_claim&) = delete;
  ~run_claim();

  bool try_start();
  void release(); // attempt over, waiting for a retry: cancellable again
  // Calls the holder's `on_cancel` callback, if one is set.
  bool try_cancel();
  bool cancelled_already() const;
  // Called once, from the cancelling thread, if a cancel wins from now on
  // (at once if one already has); replaces an earlier callback. It must
  // only send a message.
  void on_cancel(std::function<void()> tell);

private:
  // Whoever swaps the callback out of `tell_` owns it: a cancel and a late
  // on_cancel both try, so it runs exactly once. Two atomics instead of a
  // mutex and a std::function keep a claim at 16 bytes: every queued task
  // holds one.
  void take_and_call_tell();

  enum class state : std::uint8_t { idle, started, cancelled };
  std::atomic<state> state_{state::idle};
  std::atomic<std::function<void()>*> tell_{nullptr};
};

// A validated, accepted unit of work.
struct task {
  task_id id;
  op_index op = 0;
  priority prio = priority::normal;
  std::uint8_t max_attempts = 3;
  std::uint8_t attempts = 0;        // starts so far
  std::uint32_t delay_ms = 0;       // params.delay_ms, applied before the op runs
  std::uint32_t delay_left_ms = 0;  // of this attempt's delay_ms (worker-local)
  timestamp submitted_at = 0;
  timestamp started_at = 0;         // first start; 0 until started
  timestamp attempt_started_at = 0; // start of the current attempt (worker-local)
  timestamp retry_at = 0;           // a retry re-published by a worker: not to start before
  std::string payload;              // text ops: the text; json ops: serialized JSON
  rare_string params;               // serialized JSON object without delay_ms; "" if none
  rare_string idempotency_key;      // "" if none
  rare_string traceparent;          // W3C trace context, follows the task across pods
  rare_string tenant;               // who submitted it ("" = the default tenant); see assign_tenant
  std::shared_ptr<task_receipt> receipt; // set by a transport that delivered the task
  std::shared_ptr<run_claim> claim;      // embedded: set by intake; see run_claim
};

// What GET /task/{id} shows. `result` is serialized JSON ("" = null),
// `error` a message ("" = null).
struct task_record {
  task_id id;
  op_index op = 0;
  priority prio = priority::normal;
  task_status status = task_status::queued;
  std::uint8_t attempts = 0;
  std::uint8_t max_attempts = 3;
  // Not in the JSON: what live progress events need while a task waits out
  // its delay (with attempt_started_at below). The Valkey record holds both
  // (attempt_started_at only for a task with a delay), so a stream opened on
  // any api pod shows progress (transport/valkey/record_codec.hpp).
  std::uint32_t delay_ms = 0;
  timestamp submitted_at = 0;
  timestamp started_at = 0;
  timestamp finished_at = 0;
  timestamp next_attempt_at = 0; // set while waiting out a retry backoff
  timestamp attempt_started_at = 0;
  std::string result;
  rare_string error;
  rare_string idempotency_key; // kept so the store can forget the key with the record
  rare_string tenant;          // GET /task/{id} shows the record to this tenant only
  std::shared_ptr<run_claim> claim; // in-process only
};

// The record of a task that has just been accepted.
task_record queued_record(const task& t);

// Makes `t` the task of `tenant` (an --auth-tokens-file name, never
// containing ':'). Idempotency keys are per tenant: the stores see the key
// as "<tenant>:<key>", so the same key in two tenants makes two tasks. The
// default tenant "" keeps keys as given (unchanged behaviour without tokens).
void assign_tenant(task& t, std::string_view tenant);

} // namespace taskmesh
