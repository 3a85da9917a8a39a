// File: transport/valkey/task_records.hpp
// Task result records, shared counters and worker heartbeats in Valkey: the
// cluster-mode store behind the `store` seam, on top of one client. Writes
// go through the Lua scripts of scripts.cpp (atomic, idempotent, ordered);
// the key layout is listed there.
//
// Every call BLOCKS, bounded as client.hpp describes, and costs one round
// trip: a batch is cut into script calls of at most max_script_batch items
// (a script runs atomically, so Valkey serves nobody else meanwhile), all
// pipelined together. Calls may be resent once after a lost connection
// (the scripts make that harmless). Not thread-safe, like the client.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "actors/model/task.hpp"
#include "transport/valkey/client.hpp"
#include "transport/valkey/record_codec.hpp"
#include "transport/valkey/scripts.hpp"

namespace taskmesh::valkey {

struct records_options {
  std::string prefix = "taskmesh";
  // A record expires result_ttl after its task's first terminal write (none
  // before); the idempotency key follows its record.
  std::chrono::milliseconds result_ttl = std::chrono::hours(24);
  std::size_t max_script_batch = 256; // 1..max_script_batch_limit
  // How long an idempotency key stays claimed by a task that never got a
  // record (its request died before JetStream stored it, and no retry with
  // the key came): then the key is free for a new task.
  std::chrono::milliseconds claim_ttl = std::chrono::minutes(10);
  // update() returns only once this many replicas hold its writes (Valkey
  // WAIT, at most wait_timeout), else errc::not_replicated: a worker then
  // does not ack, and JetStream redelivers the task. 0: the primary's answer
  // is enough (a failover may then lose results already acked).
  // wait_timeout stays below the client's command_timeout (1 s by default),
  // so a slow replica reads as not_replicated rather than a dead connection.
  unsigned wait_replicas = 0;
  std::chrono::milliseconds wait_timeout{500};
};
inline constexpr std::size_t max_script_batch_limit = 1000;

// A record to write and its op name, both borrowed for the call.
struct record_write {
  const task_record& record;
  std::string_view type;
};

enum class claim_outcome : std::uint8_t {
  duplicate,  // the key names a recorded task: publish nothing
  claimed,    // the key is this task's now: publish it under its own id
  taken_over, // the key was claimed by a task with no record yet: publish
              // this one under that task's id (JetStream de-duplicates),
              // answer it as a duplicate
};

struct claim {
  claim_outcome outcome = claim_outcome::claimed;
  task_id id;         // the id to publish under, or the original's for a duplicate
  task_status status; // queued, or the original's current status for a duplicate
};

// A task's idempotency key, borrowed for the call.
struct key_claim {
  task_id id;
  std::string_view idempotency_key; // not empty
};

enum class update_outcome : std::uint8_t {
  stale,            // older than the stored state: ignored
  applied,          // written (not terminal)
  first_terminal,   // the first terminal write: written and counted
  already_terminal, // the record was terminal already: ignored, count nothing
};

// What an update did, and whether anyone watches live events: P:events:watched
// exists (an api pod has an event stream open), read in the same script run,
// so every change applied after an api pod set the key is reported watched.
struct update_reply {
  std::vector<update_outcome> outcomes; // per record, in order
  bool watched = false;
};

struct type_counters {
  std::int64_t submitted = 0, succeeded = 0, failed = 0, dead = 0, retried = 0, cancelled = 0;
  friend bool operator==(const type_counters&, const type_counters&) = default;
};

struct counter_snapshot {
  std::int64_t submitted = 0, succeeded = 0, failed = 0, dead = 0, retried = 0, cancelled = 0;
  std::int64_t processed = 0; // succeeded + failed + dead, each task once
  std::map<std::string, type_counters, std::less<>> by_type; // ops with any counter
};

class task_records {
public:
  task_records(client& c, records_options options);

  // Before publishing: the id each idempotency key's task is published
  // under, or its duplicate (see the claim script). One claim per key, in
  // order.
  result<std::vector<claim>> claim_keys(std::span<const key_claim> keys);

  // After publishing: the tasks' queued records (see the admit script;
  // std::invalid_argument for a record that is not queued). Returns each
  // record's current status, in order.
  result<std::vector<task_status>> admit(std::span<const record_write> records);

  // Whole records after a state change (see the update script); with
  // options().wait_replicas, only once that many replicas hold them.
  result<update_reply> update(std::span<const record_write> records);

  // An api pod with event streams open: P:events:watched for `ttl`, so that
  // worker pods publish the records they change (update_reply::watched).
  result<void> mark_events_watched(std::chrono::milliseconds ttl);

  // HGETALL; nullopt if there is no such record (never written, or expired).
  result<std::optional<stored_record>> get(const task_id& id);

  // All counters, one round trip.
  result<counter_snapshot> counters();

  // DELETE /task/{id} (see the cancel script): the record after the call.
  enum class cancel_outcome : std::uint8_t { cancelled, not_cancellable, not_found };
  struct cancel_reply {
    cancel_outcome outcome = cancel_outcome::not_found;
    std::optional<stored_record> record;
  };
  result<cancel_reply> cancel(const task_id& id);

  // Task records held right now (the /stats valkey_keys_count), exact: the
  // live ones (P:live) plus the finished ones not yet expired (P:finished,
  // one member per script run scored by its records' expiry, trimmed).
  result<std::int64_t> count_records();

  // SET P:worker:<id> PX ttl (plus the P:workers ZSET); returns live workers.
  result<std::int64_t> heartbeat(std::string_view worker_id, std::chrono::milliseconds ttl);
  // Workers whose last heartbeat has not expired.
  result<std::int64_t> count_workers();
  // Their ids (at most `max`), for GET /stats' worker_pods.
  result<std::vector<std::string>> live_workers(std::size_t max);
  // At shutdown: stops counting this worker at once.
  result<void> forget_worker(std::string_view worker_id);

  std::string record_key(const task_id& id) const;
  const records_options& options() const noexcept { return options_; }

private:
  result<void> ready();
  result<void> wait_for_replicas();
  result<std::vector<reply_ptr>> run(std::span<const command> calls);
  result<std::int64_t> run_integer(const command& call);

  client& client_;
  records_options options_;
  script_set scripts_;
};

} // namespace taskmesh::valkey
