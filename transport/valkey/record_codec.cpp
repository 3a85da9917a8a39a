// File: transport/valkey/record_codec.cpp
#include "transport/valkey/record_codec.hpp"

#include <charconv>
#include <limits>

#include "transport/valkey/redis_handle.hpp"

namespace taskmesh::valkey {
namespace {

// Which fields a write may leave out at their defaults (omit_defaults):
// never the three a reader requires; whenever omitting is on, the ones no
// update sets back to their default (never_reset: most never change;
// attempt_started_at changes per attempt but is stored only for a task with
// a delay_ms, where every attempt sets it); the others (changing) only in a
// new record.
enum class field_kind : std::uint8_t { required, never_reset, changing };

bool written(field_kind kind, bool at_default, omit_defaults omit) {
  if (!at_default || kind == field_kind::required || omit == omit_defaults::none)
    return true;
  return omit == omit_defaults::never_reset && kind == field_kind::changing;
}

// Calls emit(name, value, borrowed) for every field `omit` keeps, in
// record_fields order. `borrowed` values outlive the call (they point into
// `r`, `type` or static strings); the others live in this frame only and
// must be copied.
template <class Emit>
void visit_fields(const task_record& r, std::string_view type, omit_defaults omit, Emit&& emit) {
  static const task_record defaults; // what decode_record starts from
  const auto text = [&](std::size_t i, field_kind kind, bool at_default, std::string_view v,
                        bool borrowed) {
    if (written(kind, at_default, omit))
      emit(record_fields[i], v, borrowed);
  };
  const auto number = [&](std::size_t i, field_kind kind, std::int64_t v, std::int64_t at_default) {
    if (!written(kind, v == at_default, omit))
      return;
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    emit(record_fields[i], std::string_view(buf, static_cast<std::size_t>(end - buf)), false);
  };
  using enum field_kind;
  char id[36];
  r.id.write_to(id);
  text(0, required, false, std::string_view(id, sizeof id), false);
  text(1, required, false, type, true);
  text(2, required, false, to_string(r.status), true);
  text(3, never_reset, r.prio == defaults.prio, to_string(r.prio), true);
  number(4, changing, r.attempts, defaults.attempts);
  number(5, never_reset, r.max_attempts, defaults.max_attempts);
  number(6, never_reset, r.submitted_at, defaults.submitted_at);
  number(7, changing, r.started_at, defaults.started_at);
  number(8, changing, r.finished_at, defaults.finished_at);
  number(9, changing, r.next_attempt_at, defaults.next_attempt_at);
  text(10, changing, r.result.empty(), r.result, true);
  text(11, changing, r.error.empty(), r.error, true);
  text(12, never_reset, r.idempotency_key.empty(), r.idempotency_key, true);
  text(13, never_reset, r.tenant.empty(), r.tenant, true);
  number(14, never_reset, r.delay_ms, defaults.delay_ms);
  // Only progress reads it, and only while a delay runs: a task without
  // one stores none (no bytes for plain tasks), so none needs resetting.
  if (r.delay_ms > 0 || omit == omit_defaults::none)
    number(15, never_reset, r.attempt_started_at, defaults.attempt_started_at);
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
  // The count goes in front of the fields: a placeholder, set once they are
  // written (one pass, nothing formatted twice).
  static constexpr std::array<std::string_view, record_fields.size() + 1> counts{
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"};
  const std::size_t count_at = cmd.size();
  cmd.arg(counts[0]);
  std::size_t n = 0;
  visit_fields(r, type, omit, [&](std::string_view name, std::string_view value, bool borrowed) {
    cmd.arg(name);
    if (borrowed)
      cmd.arg(value);
    else
      cmd.copy(value);
    ++n;
  });
  cmd.set(count_at, counts[n]);
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
