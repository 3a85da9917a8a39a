// File: actors/codec/task_codec.hpp
// The JSON face of a task: request bodies in (parse + validate, all-or-nothing
// for batches), records and errors out. Pure functions, no I/O: the HTTP
// handlers call them on their own threads, and the tests call them directly.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "actors/model/api_error.hpp"
#include "actors/model/task.hpp"
#include "actors/ops/registry.hpp"

namespace taskmesh {

// Limits that validation enforces (the rest, e.g. body size, is HTTP's job).
struct codec_limits {
  std::size_t max_json_depth = 32;
  std::size_t max_batch = 1000;
  std::uint32_t max_delay_ms = 60'000;
  std::size_t max_idempotency_key = 128;
};

template <class T>
using parsed = std::variant<T, api_error>;

// Parses a request body. Malformed/truncated JSON, nesting deeper than
// max_json_depth, invalid UTF-8: 400 "invalid_json". The value lives in
// `storage` (default: the heap); a caller that only reads it before
// returning may pass a monotonic buffer and skip the per-node allocations.
parsed<boost::json::value> parse_json_body(std::string_view body, const codec_limits& limits,
                                           boost::json::storage_ptr storage = {});

// One task object -> task (id and submitted_at are filled in here).
// Errors: 400 invalid_field (wrong type, unknown field, bad value) or
// unknown_type, with `field` naming the culprit ("priority", "params.find").
parsed<task> parse_task(const boost::json::value& v, const op_registry& ops,
                        const codec_limits& limits);

// An array of 1..max_batch task objects; the first bad one fails the whole
// batch and the error's field is prefixed with its index: "[3].type".
parsed<std::vector<task>> parse_task_batch(const boost::json::value& v, const op_registry& ops,
                                           const codec_limits& limits);

// POST /tasks and POST /task: a request body straight to its task(s). The
// common shape goes through parse_plain_tasks; everything else, and every
// error, through parse_json_body and parse_task_batch / parse_task.
parsed<std::vector<task>> parse_tasks_body(std::string_view body, const op_registry& ops,
                                           const codec_limits& limits);
parsed<task> parse_task_body(std::string_view body, const op_registry& ops,
                             const codec_limits& limits);

// The common shape of a submission parsed without a JSON document: an array
// of task objects (`batch`) or one task object, whose members are strings
// and integers (type, payload, priority, idempotency_key, max_attempts) of
// an op with a text payload. The same tasks parse_task(_batch) would make
// (each with a new id and submitted_at); nullopt for any other shape and
// for anything parse_task(_batch) would refuse, which the general path then
// says. So it never answers an error of its own (plain_tasks.cpp).
std::optional<std::vector<task>> parse_plain_tasks(std::string_view body, bool batch,
                                                   const op_registry& ops,
                                                   const codec_limits& limits);

// {"id":..,"type":..,"status":..,"priority":..,"attempts":..,"max_attempts":..
//  "submitted_at":..,"started_at":..,"finished_at":..,"next_attempt_at":..,
//  "result":..,"error":..}
std::string record_to_json(const task_record& r, const op_registry& ops);

// {"error":{"code":..,"message":..,"field":..}} ("field" only when set).
std::string error_to_json(const api_error& e);

// The task between processes (cluster mode: a NATS message body), ops by
// name. task_from_wire rejects messages this process cannot run (unknown or
// disabled type, malformed fields) with code "invalid_task_message".
// A task re-published by a worker for its retry also carries "attempts"
// (made so far) and "retry_at" (us, not to start before).
std::string task_to_wire(const task& t, const op_registry& ops);
parsed<task> task_from_wire(std::string_view bytes, const op_registry& ops);
// Its "v" member: a reader refuses messages of another version.
inline constexpr std::int64_t task_wire_version = 1;

// Several tasks in one message: a JSON array of task_to_wire objects, so
// one JetStream message carries an intake round's lane (transport/cluster).
std::string tasks_to_wire(std::span<const task> tasks, const op_registry& ops);
// A message body, either one task object or an array of them: one entry per
// task (an error for each that does not decode; a single error when the
// body is neither). The common shape goes through plain_tasks_from_wire,
// the rest through tasks_from_wire_document.
std::vector<parsed<task>> tasks_from_wire(std::string_view bytes, const op_registry& ops);
std::vector<parsed<task>> tasks_from_wire_document(std::string_view bytes,
                                                   const op_registry& ops);
// The common message read without a JSON document: tasks of text ops whose
// members are strings and int64s, no params, no member this decoder does
// not know (plain_wire.cpp). The same tasks tasks_from_wire_document
// decodes; nullopt for any other message and for any task it would refuse.
std::optional<std::vector<task>> plain_tasks_from_wire(std::string_view bytes,
                                                       const op_registry& ops);
// Task `index` of a message body (0 for a single object) as a message of its
// own: its "attempts" raised by `extra_attempts`, "retry_at" set (0: removed).
// nullopt when the body has no such task.
struct wire_task {
  std::string id; // as the message names it
  std::string body;
};
std::optional<wire_task> task_with_attempts(std::string_view bytes, std::size_t index,
                                              std::uint32_t extra_attempts, timestamp retry_at);

} // namespace taskmesh
