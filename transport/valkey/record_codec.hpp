// File: transport/valkey/record_codec.hpp
// A task record as the fields of its Valkey HASH, and back. Pure functions
// (no I/O), shared by task_records and its tests.
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
// the current attempt's start; stored only for a task with a delay_ms):
// what a live event stream's progress needs while the task waits out its
// delay, on whichever api pod reads the record. Decoding ignores fields it
// does not know (the scripts keep an 'admitted' marker in the same hash), and
// reads a missing field as its default: writes leave those out
// (omit_defaults).
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
#include "transport/valkey/command.hpp"
#include "transport/valkey/valkey_error.hpp"

struct redisReply;

namespace taskmesh::valkey {

// In the order the encoders write them.
inline constexpr std::array<std::string_view, 16> record_fields{
  "id",           "type",          "status",      "priority",    "attempts",
  "max_attempts", "submitted_at",  "started_at",  "finished_at", "next_attempt_at",
  "result",       "error",         "idempotency_key", "tenant",  "delay_ms",
  "attempt_started_at"};

struct stored_record {
  task_record record; // record.op stays 0: map `type` to an index with the op registry
  std::string type;   // op name
};

// (name, value) pairs, in record_fields order.
std::vector<std::pair<std::string, std::string>> encode_record(const task_record& r,
                                                               std::string_view type);

// Which fields a write may leave out because they hold the value a reader
// assumes for a missing field (decode_record starts from task_record{}):
// smaller hashes in Valkey and fewer bytes per write (measured in
// docs/benchmarks.md: 662 -> 598 B of Valkey memory per finished task).
// The defaults are task_record's: changing one in actors/model/task.hpp
// changes how records already in Valkey read.
enum class omit_defaults : std::uint8_t {
  none,        // every field (events, tests)
  never_reset, // an update of a record that may hold older values: only the
               // fields no update sets back to their defaults (priority,
               // max_attempts, submitted_at, idempotency_key, tenant, delay_ms,
               // attempt_started_at) when at them; a changing field at its
               // default must overwrite a stored value
  all,         // a new record (admission): every field at its default
};

// The same pairs appended to `cmd`, preceded by their count (a script's
// nfields): 1 + 2 x (fields written) arguments. type, result, error and
// idempotency_key are borrowed from the caller (no copy of a large result);
// id and numbers are formatted into `cmd`.
void append_record_fields(command& cmd, const task_record& r, std::string_view type,
                          omit_defaults omit);

// Errors (bad_record): id, type or status missing; a value that does not
// parse (bad UUID, unknown status or priority, attempts outside 0..255,
// timestamps that are not decimal integers). The message names the field.
result<stored_record> decode_record(
  std::span<const std::pair<std::string_view, std::string_view>> fields);

// From an HGETALL reply: nullopt for an empty array (no such key).
result<std::optional<stored_record>> decode_hgetall(const redisReply* reply);

std::optional<task_status> parse_status(std::string_view text);
std::optional<priority> parse_priority(std::string_view text);

} // namespace taskmesh::valkey
