// File: transport/valkey/record_codec.hpp
// A task record as Valkey stores it (one STRING value per task), and as
// name/value fields (the live events' JSON objects), both ways. Pure
// functions (no I/O), shared by task_records, the event relay and tests.
//
// Fields: id (canonical UUID), type (op NAME: op indexes are per build),
// status and priority (their to_string names), attempts, max_attempts,
// submitted_at, started_at, finished_at, next_attempt_at (decimal
// microseconds since the epoch, 0 = null), result (serialized JSON, "" =
// null), error ("" = null), idempotency_key ("" = none; lets later writes
// keep the key's TTL in step with the record; it is already "<tenant>:<key>"
// for a tenant's task, see assign_tenant), tenant ("" = the default tenant:
// GET answers only the tenant that submitted the task), delay_ms (the
// task's params.delay_ms, 0 = none) and attempt_started_at (microseconds,
// the current attempt's start): what a live event stream's progress needs
// while the task waits out its delay, on whichever api pod reads the record.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actors/model/task.hpp"
#include "transport/valkey/valkey_error.hpp"

struct redisReply;

namespace taskmesh::valkey {

// In the order encode_record writes them.
inline constexpr std::array<std::string_view, 16> record_fields{
  "id",           "type",          "status",      "priority",    "attempts",
  "max_attempts", "submitted_at",  "started_at",  "finished_at", "next_attempt_at",
  "result",       "error",         "idempotency_key", "tenant",  "delay_ms",
  "attempt_started_at"};

struct stored_record {
  task_record record; // record.op stays 0: map `type` to an index with the op registry
  std::string type;   // op name
  // docs/chaos.md: every outcome a worker wrote for the task (a result or a
  // retry wait), refused or not; the terminal writes applied (1 for every
  // finished task, however often it ran). Stored values only.
  std::int64_t executions = 0;
  std::int64_t commits = 0;
};

// ---- The stored value (key P:task:<id>, transport/valkey/scripts.cpp) ----
// A header the scripts read and rewrite, then a body only this codec reads:
//   <status>|<attempts>|<next_attempt_at>|<started_at>|<finished_at>|
//   <submitted_at>|<executions>|<commits>|<body>
// where body is type, idempotency_key, priority, max_attempts, result,
// error, tenant, delay_ms and attempt_started_at (stored for a task with a
// delay only), each as <length>:<bytes> ("0:" = the field's default). The id
// is the key's.
// Why one string and not a HASH of fields: a script call's cost in Valkey
// grows with its arguments (about 740 instructions each) and with every
// field an HSET inserts or replaces in a listpack; a record write was ~27
// arguments and 10 field writes, now 6 arguments and one SET
// (docs/benchmarks.md, "One string per record").
inline constexpr std::size_t value_header_fields = 8;

// The whole value: the header from `r` (with the two counters), then the
// body; append_value appends it to `out`.
void append_value(std::string& out, const task_record& r, std::string_view type,
                  std::int64_t executions = 0, std::int64_t commits = 0);
std::string encode_value(const task_record& r, std::string_view type,
                         std::int64_t executions = 0, std::int64_t commits = 0);

// The header admit writes for the task of `r` (queued, no attempt, no
// execution counted, its submitted_at): what an update finds in the common
// case, the task's first outcome (scripts.cpp, update).
void append_admitted_header(std::string& out, const task_record& r);

// Errors (bad_record): a header that is not 8 fields (unknown status,
// numbers that are not decimal or out of range), a body that is cut short
// or has bytes after its last field, a value that does not parse (an
// unknown priority, a bad number). The message names the field.
result<stored_record> decode_value(const task_id& id, std::string_view value);

// ---- Name/value fields (the live events' JSON) ----
// (name, value) pairs, every field, in record_fields order.
std::vector<std::pair<std::string, std::string>> encode_record(const task_record& r,
                                                               std::string_view type);

// Decoding ignores fields it does not know and reads a missing field as its
// default. Errors (bad_record): id, type or status missing; a value that
// does not parse (bad UUID, unknown status or priority, attempts outside
// 0..255, timestamps that are not decimal integers). The message names the
// field.
result<stored_record> decode_record(
  std::span<const std::pair<std::string_view, std::string_view>> fields);

std::optional<task_status> parse_status(std::string_view text);
std::optional<priority> parse_priority(std::string_view text);

} // namespace taskmesh::valkey
