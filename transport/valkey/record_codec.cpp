// File: transport/valkey/record_codec.cpp
#include "transport/valkey/record_codec.hpp"

#include <charconv>
#include <limits>
#include <utility>

#include "actors/model/decimal.hpp"

namespace taskmesh::valkey {
namespace {

// One body field: <length>:<bytes>.
void append_field(std::string& out, std::string_view bytes) {
  append_decimal(out, bytes.size());
  out += ':';
  out += bytes;
}

// A number field, empty at its default.
void append_number_field(std::string& out, std::int64_t v, std::int64_t at_default) {
  if (v == at_default)
    append_field(out, {});
  else
    append_field(out, decimal(v).view());
}

template <class Int>
bool parse_int(std::string_view text, Int& out, std::int64_t min, std::int64_t max) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
    return false;
  out = static_cast<Int>(v);
  return true;
}

error bad(std::string_view field, std::string_view value) {
  std::string shown(value.substr(0, 64));
  return {errc::bad_record, "task record field '" + std::string(field) + "' has a bad value '" +
                              shown + (value.size() > 64 ? "...'" : "'")};
}

} // namespace

std::optional<task_status> parse_status(std::string_view text) {
  for (auto s : {task_status::queued, task_status::running, task_status::succeeded,
                 task_status::failed, task_status::dead, task_status::cancelled})
    if (to_string(s) == text)
      return s;
  return std::nullopt;
}

std::optional<priority> parse_priority(std::string_view text) {
  if (text == to_string(priority::normal))
    return priority::normal;
  if (text == to_string(priority::high))
    return priority::high;
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> encode_record(const task_record& r,
                                                               std::string_view type) {
  const auto number = [](std::int64_t v) {
    std::string out;
    append_decimal(out, v);
    return out;
  };
  char id[36];
  r.id.write_to(id);
  std::string values[record_fields.size()] = { // in record_fields order
    std::string(id, sizeof id),   std::string(type),          std::string(to_string(r.status)),
    std::string(to_string(r.prio)), number(r.attempts),       number(r.max_attempts),
    number(r.submitted_at),       number(r.started_at),       number(r.finished_at),
    number(r.next_attempt_at),    r.result,                   std::string(r.error.view()),
    std::string(r.idempotency_key.view()), std::string(r.tenant.view()), number(r.delay_ms),
    number(r.attempt_started_at)};
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(record_fields.size());
  for (std::size_t i = 0; i < record_fields.size(); ++i)
    out.emplace_back(std::string(record_fields[i]), std::move(values[i]));
  return out;
}

result<stored_record> decode_record(
  std::span<const std::pair<std::string_view, std::string_view>> fields) {
  stored_record out;
  task_record& r = out.record;
  bool have_id = false, have_type = false, have_status = false;
  constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
  for (const auto& [name, value] : fields) {
    bool ok = true;
    if (name == "id") {
      const auto id = task_id::parse(value);
      ok = id.has_value();
      if (ok)
        r.id = *id;
      have_id = ok;
    } else if (name == "type") {
      out.type = std::string(value);
      have_type = !value.empty();
      ok = have_type;
    } else if (name == "status") {
      const auto s = parse_status(value);
      ok = s.has_value();
      if (ok)
        r.status = *s;
      have_status = ok;
    } else if (name == "priority") {
      const auto p = parse_priority(value);
      ok = p.has_value();
      if (ok)
        r.prio = *p;
    } else if (name == "attempts") {
      ok = parse_int(value, r.attempts, 0, 255);
    } else if (name == "max_attempts") {
      ok = parse_int(value, r.max_attempts, 0, 255);
    } else if (name == "submitted_at") {
      ok = parse_int(value, r.submitted_at, 0, i64_max);
    } else if (name == "started_at") {
      ok = parse_int(value, r.started_at, 0, i64_max);
    } else if (name == "finished_at") {
      ok = parse_int(value, r.finished_at, 0, i64_max);
    } else if (name == "next_attempt_at") {
      ok = parse_int(value, r.next_attempt_at, 0, i64_max);
    } else if (name == "result") {
      r.result = std::string(value);
    } else if (name == "error") {
      r.error = std::string(value);
    } else if (name == "idempotency_key") {
      r.idempotency_key = std::string(value);
    } else if (name == "tenant") {
      r.tenant = std::string(value);
    } else if (name == "delay_ms") {
      ok = parse_int(value, r.delay_ms, 0, std::numeric_limits<std::uint32_t>::max());
    } else if (name == "attempt_started_at") {
      ok = parse_int(value, r.attempt_started_at, 0, i64_max);
    }
    if (!ok)
      return bad(name, value);
  }
  if (!have_id || !have_type || !have_status)
    return error{errc::bad_record, std::string("task record without '") +
                                     (!have_id ? "id" : !have_type ? "type" : "status") + "'"};
  return out;
}

namespace {

void append_body(std::string& out, const task_record& r, std::string_view type) {
  static const task_record defaults; // what decode_value starts from
  append_field(out, type);
  append_field(out, r.idempotency_key);
  append_field(out, r.prio == defaults.prio ? std::string_view() : to_string(r.prio));
  append_number_field(out, r.max_attempts, defaults.max_attempts);
  append_field(out, r.result);
  append_field(out, r.error);
  append_field(out, r.tenant);
  append_number_field(out, r.delay_ms, defaults.delay_ms);
  // Only a live stream's progress reads it, and only while a delay runs:
  // a task without one stores none (workers stamp every attempt's start,
  // and plain tasks would pay 19 bytes a record for it).
  append_number_field(out, r.delay_ms > 0 ? r.attempt_started_at : defaults.attempt_started_at,
                      defaults.attempt_started_at);
}

void append_header(std::string& out, const task_record& r, std::int64_t executions,
                   std::int64_t commits) {
  out += to_string(r.status);
  for (const std::int64_t n : {std::int64_t{r.attempts}, r.next_attempt_at, r.started_at,
                               r.finished_at, r.submitted_at, executions, commits}) {
    out += '|';
    append_decimal(out, n);
  }
  out += '|';
}

} // namespace

void append_value(std::string& out, const task_record& r, std::string_view type,
                  std::int64_t executions, std::int64_t commits) {
  append_header(out, r, executions, commits);
  append_body(out, r, type);
}

void append_admitted_header(std::string& out, const task_record& r) {
  task_record admitted;
  admitted.status = task_status::queued;
  admitted.submitted_at = r.submitted_at;
  append_header(out, admitted, 0, 0);
}

std::string encode_value(const task_record& r, std::string_view type, std::int64_t executions,
                         std::int64_t commits) {
  std::string out;
  append_value(out, r, type, executions, commits);
  return out;
}

result<stored_record> decode_value(const task_id& id, std::string_view value) {
  stored_record out;
  task_record& r = out.record;
  r.id = id;
  constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
  // Header: eight fields, each ended by '|'.
  std::string_view header[value_header_fields];
  for (auto& field : header) {
    const auto bar = value.find('|');
    if (bar == std::string_view::npos)
      return error{errc::bad_record, "task record value has a header of fewer than " +
                                       std::to_string(value_header_fields) + " fields"};
    field = value.substr(0, bar);
    value.remove_prefix(bar + 1);
  }
  const auto status = parse_status(header[0]);
  if (!status)
    return bad("status", header[0]);
  r.status = *status;
  if (!parse_int(header[1], r.attempts, 0, 255))
    return bad("attempts", header[1]);
  const std::pair<const char*, timestamp*> times[] = {{"next_attempt_at", &r.next_attempt_at},
                                                      {"started_at", &r.started_at},
                                                      {"finished_at", &r.finished_at},
                                                      {"submitted_at", &r.submitted_at}};
  for (std::size_t i = 0; i < std::size(times); ++i)
    if (!parse_int(header[2 + i], *times[i].second, 0, i64_max))
      return bad(times[i].first, header[2 + i]);
  if (!parse_int(header[6], out.executions, 0, i64_max))
    return bad("executions", header[6]);
  if (!parse_int(header[7], out.commits, 0, i64_max))
    return bad("commits", header[7]);

  // Body: <length>:<bytes> per field, in append_body's order; split first,
  // then read.
  static constexpr std::string_view body_names[] = {
    "type", "idempotency_key", "priority", "max_attempts", "result", "error", "tenant",
    "delay_ms", "attempt_started_at"};
  std::string_view body[std::size(body_names)];
  for (std::size_t i = 0; i < std::size(body_names); ++i) {
    const auto colon = value.find(':');
    std::size_t len = 0;
    if (colon == std::string_view::npos ||
        !parse_int(value.substr(0, colon), len, 0, static_cast<std::int64_t>(value.size())) ||
        colon + 1 + len > value.size())
      return error{errc::bad_record, "task record value is cut short at field '" +
                                       std::string(body_names[i]) + "'"};
    body[i] = value.substr(colon + 1, len);
    value.remove_prefix(colon + 1 + len);
  }
  if (!value.empty())
    return error{errc::bad_record, "task record value has " + std::to_string(value.size()) +
                                     " bytes after its last field"};
  if (body[0].empty())
    return error{errc::bad_record, "task record without 'type'"};
  out.type = std::string(body[0]);
  r.idempotency_key = body[1];
  if (!body[2].empty()) {
    const auto p = parse_priority(body[2]);
    if (!p)
      return bad(body_names[2], body[2]);
    r.prio = *p;
  }
  // An empty number field keeps the default decode_value started from.
  const auto number = [](std::string_view text, auto& into, std::int64_t max) {
    return text.empty() || parse_int(text, into, 0, max);
  };
  if (!number(body[3], r.max_attempts, 255))
    return bad(body_names[3], body[3]);
  r.result = std::string(body[4]);
  r.error = body[5];
  r.tenant = body[6];
  if (!number(body[7], r.delay_ms, std::numeric_limits<std::uint32_t>::max()))
    return bad(body_names[7], body[7]);
  if (!number(body[8], r.attempt_started_at, i64_max))
    return bad(body_names[8], body[8]);
  return out;
}

} // namespace taskmesh::valkey
