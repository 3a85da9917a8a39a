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
  // Every write (re)sets the record's expiry to now + result_ttl; the
  // idempotency key follows its record.
  std::chrono::milliseconds result_ttl = std::chrono::hours(24);
  std::size_t max_script_batch = 256; // 1..max_script_batch_limit
};
inline constexpr std::size_t max_script_batch_limit = 1000;

// A record to write and its op name, both borrowed for the call.
struct record_write {
  const task_record& record;
  std::string_view type;
};

enum class admit_outcome : std::uint8_t { accepted, duplicate };

struct admission {
  admit_outcome outcome = admit_outcome::accepted;
  task_id id;         // this task's id, or the original's for a duplicate
  task_status status; // the record's current status (the original's for a duplicate)
};

enum class update_outcome : std::uint8_t {
  stale,            // older than the stored state: ignored
  applied,          // written (not terminal)
  first_terminal,   // the first terminal write: written and counted
  already_terminal, // the record was terminal already: ignored, count nothing
};

struct type_counters {
  std::int64_t submitted = 0, succeeded = 0, failed = 0, dead = 0, retried = 0;
  friend bool operator==(const type_counters&, const type_counters&) = default;
};

struct counter_snapshot {
  std::int64_t submitted = 0, succeeded = 0, failed = 0, dead = 0, retried = 0;
  std::int64_t processed = 0; // succeeded + failed + dead, each task once
  std::map<std::string, type_counters, std::less<>> by_type; // ops with any counter
};

class task_records {
public:
  task_records(client& c, records_options options);

  // Accepted tasks' queued records (see the admit script for the rules).
  // One admission per record, in order.
  result<std::vector<admission>> admit(std::span<const record_write> records);

  // Whole records after a state change (see the update script).
  result<std::vector<update_outcome>> update(std::span<const record_write> records);

  // HGETALL; nullopt if there is no such record (never written, or expired).
  result<std::optional<stored_record>> get(const task_id& id);

  // All counters, one round trip.
  result<counter_snapshot> counters();

  // Task records held right now (the /stats valkey_keys_count), exact: the
  // P:records ZSET scored by expiry, trimmed, then ZCARD.
  result<std::int64_t> count_records();

  // SET P:worker:<id> PX ttl (plus the P:workers ZSET); returns live workers.
  result<std::int64_t> heartbeat(std::string_view worker_id, std::chrono::milliseconds ttl);
  // Workers whose last heartbeat has not expired.
  result<std::int64_t> count_workers();
  // At shutdown: stops counting this worker at once.
  result<void> forget_worker(std::string_view worker_id);

  std::string record_key(const task_id& id) const;
  const records_options& options() const noexcept { return options_; }

private:
  result<void> ready();
  result<std::vector<reply_ptr>> run(std::span<const command> calls);
  result<std::int64_t> run_integer(const command& call);

  client& client_;
  records_options options_;
  script_set scripts_;
};

} // namespace taskmesh::valkey
