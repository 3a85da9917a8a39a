// File: transport/valkey/record_codec.cpp
#include "transport/valkey/record_codec.hpp"

#include <charconv>
#include <limits>

#include "transport/valkey/redis_handle.hpp"

namespace taskmesh::valkey {
namespace {

// Calls emit(name, value, borrowed) for every field `omit` keeps, in
// record_fields order. `borrowed` values outlive the call (they point into
// `r`, `type` or static strings); the others live in this frame only and
// must be copied.
template <class Emit>
void visit_fields(const task_record& r, std::string_view type, omit_defaults omit, Emit&& emit) {
  static const task_record defaults;
  const bool omit_any = omit != omit_defaults::none;
  const bool omit_changing = omit == omit_defaults::all;
  char id[36];
  r.id.write_to(id);
  emit(record_fields[0], std::string_view(id, sizeof id), false);
  emit(record_fields[1], type, true);
  emit(record_fields[2], to_string(r.status), true);
  if (!(omit_any && r.prio == defaults.prio))
    emit(record_fields[3], to_string(r.prio), true);
  const std::int64_t numbers[] = {r.attempts,   r.max_attempts, r.submitted_at,
                                  r.started_at, r.finished_at,  r.next_attempt_at};
  const std::int64_t default_numbers[] = {defaults.attempts,   defaults.max_attempts,
                                          defaults.submitted_at, defaults.started_at,
                                          defaults.finished_at, defaults.next_attempt_at};
  for (std::size_t i = 0; i < std::size(numbers); ++i) {
    const bool unchanging = i == 1; // max_attempts; submitted_at is never 0 in practice
    if (numbers[i] == default_numbers[i] && (omit_changing || (omit_any && unchanging)))
      continue;
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, numbers[i]).ptr;
    emit(record_fields[4 + i], std::string_view(buf, static_cast<std::size_t>(end - buf)), false);
  }
  if (!(omit_changing && r.result.empty()))
    emit(record_fields[10], std::string_view(r.result), true);
  if (!(omit_changing && r.error.empty()))
    emit(record_fields[11], std::string_view(r.error), true);
  if (!(omit_any && r.idempotency_key.empty()))
    emit(record_fields[12], std::string_view(r.idempotency_key), true);
  if (!(omit_any && r.tenant.empty()))
    emit(record_fields[13], std::string_view(r.tenant), true);
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
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(record_fields.size());
  visit_fields(r, type, omit_defaults::none, [&](std::string_view name, std::string_view value, bool) {
    out.emplace_back(std::string(name), std::string(value));
  });
  return out;
}

void append_record_fields(command& cmd, const task_record& r, std::string_view type,
                          omit_defaults omit) {
  std::size_t n = 0;
  visit_fields(r, type, omit, [&](std::string_view, std::string_view, bool) { ++n; });
  cmd.arg(n);
  visit_fields(r, type, omit, [&](std::string_view name, std::string_view value, bool borrowed) {
    cmd.arg(name);
    if (borrowed)
      cmd.arg(value);
    else
      cmd.copy(value);
  });
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
    }
    if (!ok)
      return bad(name, value);
  }
  if (!have_id || !have_type || !have_status)
    return error{errc::bad_record, std::string("task record without '") +
                                     (!have_id ? "id" : !have_type ? "type" : "status") + "'"};
  return out;
}

result<std::optional<stored_record>> decode_hgetall(const redisReply* reply) {
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements % 2 != 0)
    return unexpected(reply, "an HGETALL array of name/value pairs");
  if (reply->elements == 0)
    return std::optional<stored_record>();
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  fields.reserve(reply->elements / 2);
  for (std::size_t i = 0; i < reply->elements; i += 2) {
    const auto name = string_of(reply->element[i]);
    const auto value = string_of(reply->element[i + 1]);
    if (!name || !value)
      return unexpected(reply->element[i], "string fields in HGETALL");
    fields.emplace_back(*name, *value);
  }
  auto decoded = decode_record(fields);
  if (!decoded)
    return std::move(decoded).err();
  return std::optional<stored_record>(std::move(*decoded));
}

} // namespace taskmesh::valkey
