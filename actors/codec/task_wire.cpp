// File: actors/codec/task_wire.cpp
// The task as it travels between processes: the body of a NATS message in
// cluster mode. JSON, so a person can read it with `nats stream view` and
// replay it; ops travel by name (op indexes are only stable within one
// build), payloads keep their JSON form.
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

#include "actors/codec/exact_json.hpp"
#include "actors/codec/json_numbers.hpp"
#include "actors/codec/task_codec.hpp"
#include "actors/codec/task_members.hpp"
#include "actors/codec/task_rules.hpp"
#include "actors/model/decimal.hpp"
#include "actors/ops/op_support.hpp"

namespace taskmesh {
namespace json = boost::json;
namespace {

api_error bad_wire(std::string message, std::string field = {}) {
  return api_error{400, "invalid_task_message", std::move(message), std::move(field)};
}

} // namespace

namespace {

// The message is written as text, not built as a json::object and then
// serialized: the same bytes (keys in this order, integers in decimal,
// strings escaped by Boost.JSON's serializer, as the ops write results), at
// a quarter of the instructions (callgrind, docs/benchmarks.md: 8,100 per
// task before, a third of it allocation). Payloads of JSON ops and params
// are stored as the codec serialized them, so they go in as they are.
void append_value(std::string& out, std::string_view s) {
  ops::append_json_string(out, s);
}

// Signed: a decoded message may carry any int64 (the fuzzer's round trip).
void append_value(std::string& out, std::int64_t n) {
  append_decimal(out, n);
}

// Starts member `key` (a plain key: no escaping needed).
void append_key(std::string& out, std::string_view key) {
  out += ",\"";
  out += key;
  out += "\":";
}

void append_wire_object(std::string& out, const task& t, const op_registry& ops) {
  const auto& op = ops.at(t.op);
  out += "{\"v\":";
  append_value(out, task_wire_version);
  append_key(out, "id");
  char id[36];
  t.id.write_to(id);
  out += '"';
  out.append(id, sizeof id);
  out += '"';
  append_key(out, "type");
  append_value(out, op.name);
  // Text payloads are stored decoded; JSON payloads are stored serialized.
  append_key(out, "payload");
  if (op.payload == payload_kind::text)
    append_value(out, t.payload);
  else
    out += t.payload.empty() ? std::string_view{"null"} : std::string_view{t.payload};
  if (!t.params.empty()) {
    append_key(out, "params");
    out += t.params.str();
  }
  append_key(out, "priority");
  append_value(out, to_string(t.prio));
  append_key(out, "max_attempts");
  append_value(out, t.max_attempts);
  append_key(out, "delay_ms");
  append_value(out, t.delay_ms);
  append_key(out, "submitted_at");
  append_value(out, t.submitted_at);
  // Left out when empty or zero: the reader defaults them.
  const auto unless_default = [&out]<class V>(std::string_view key, V value) {
    if (value != V{}) {
      append_key(out, key);
      append_value(out, value);
    }
  };
  unless_default("idempotency_key", t.idempotency_key.view());
  unless_default("traceparent", t.traceparent.view());
  unless_default("tenant", t.tenant.view());
  // Only on a retry re-published by a worker (see task_with_attempts).
  unless_default("attempts", std::int64_t{t.attempts});
  unless_default("retry_at", std::max<timestamp>(0, t.retry_at));
  out += '}';
}

// The members a task message may have, found in one pass over the object
// (a lookup per field searched the object a dozen times). Unknown members
// are ignored, as a newer sender's extras must be.
struct wire_members {
  const json::value *v = nullptr, *id = nullptr, *type = nullptr, *payload = nullptr,
                    *params = nullptr, *priority = nullptr, *max_attempts = nullptr,
                    *delay_ms = nullptr, *submitted_at = nullptr, *idempotency_key = nullptr,
                    *traceparent = nullptr, *tenant = nullptr, *attempts = nullptr,
                    *retry_at = nullptr;

  explicit wire_members(const json::object& o) {
    for (const auto& kv : o)
      if (const json::value** slot = slot_for(task_members::wire_member(kv.key())))
        *slot = &kv.value();
  }

private:
  const json::value** slot_for(task_members::wire m) {
    using task_members::wire;
    switch (m) {
      case wire::v: return &v;
      case wire::id: return &id;
      case wire::type: return &type;
      case wire::payload: return &payload;
      case wire::params: return &params;
      case wire::priority: return &priority;
      case wire::max_attempts: return &max_attempts;
      case wire::delay_ms: return &delay_ms;
      case wire::submitted_at: return &submitted_at;
      case wire::idempotency_key: return &idempotency_key;
      case wire::traceparent: return &traceparent;
      case wire::tenant: return &tenant;
      case wire::attempts: return &attempts;
      case wire::retry_at: return &retry_at;
      case wire::none: case wire::count: return nullptr;
    }
    return nullptr;
  }
};

parsed<task> task_from_object(const json::object& o, const op_registry& ops) {
  const wire_members m(o);
  json::error_code ec;
  auto int_field = [&](const json::value* f) -> std::optional<std::int64_t> {
    if (!f || !f->is_number())
      return std::nullopt;
    return f->to_number<std::int64_t>(ec);
  };
  if (int_field(m.v) != task_wire_version)
    return bad_wire("unsupported task message version", "v");

  task t;
  auto parsed_id = m.id && m.id->is_string() ? task_id::parse(m.id->get_string()) : std::nullopt;
  if (!parsed_id)
    return bad_wire("task message has no valid id", "id");
  t.id = *parsed_id;
  const op_definition* def =
    m.type && m.type->is_string() ? ops.find(m.type->get_string(), &t.op) : nullptr;
  if (!def)
    return bad_wire("task type is unknown or disabled on this process", "type");
  // A JSON op's payload is never empty: absent means null (as the request
  // codec does), or echo would answer {"payload":} (found by task_wire_fuzzer).
  if (def->payload == payload_kind::json)
    t.payload = "null";
  if (const auto* payload = m.payload) {
    if (def->payload == payload_kind::text) {
      if (!payload->is_string())
        return bad_wire("payload of a text op must be a string", "payload");
      t.payload = std::string{payload->get_string()};
    } else {
      t.payload = json::serialize(*payload);
    }
  }
  if (const auto* params = m.params) {
    if (!params->is_object())
      return bad_wire("params must be an object", "params");
    t.params = json::serialize(*params);
  }
  task_rules::wire_scalars scalars;
  if (m.priority && m.priority->is_string())
    scalars.priority = m.priority->get_string();
  scalars.max_attempts = int_field(m.max_attempts);
  scalars.delay_ms = int_field(m.delay_ms);
  scalars.submitted_at = int_field(m.submitted_at);
  scalars.attempts = int_field(m.attempts);
  scalars.retry_at = int_field(m.retry_at);
  if (const auto bad = task_rules::assign_wire_scalars(scalars, t); !bad.empty())
    return bad_wire(std::string(bad) + " out of range", std::string(bad));
  if (m.idempotency_key && m.idempotency_key->is_string())
    t.idempotency_key = std::string{m.idempotency_key->get_string()};
  if (m.traceparent && m.traceparent->is_string())
    t.traceparent = std::string{m.traceparent->get_string()};
  if (m.tenant && m.tenant->is_string())
    t.tenant = std::string{m.tenant->get_string()};
  return t;
}

} // namespace

std::string_view task_rules::assign_wire_scalars(const wire_scalars& s, task& t) {
  t.prio = priority_named(s.priority).value_or(priority::normal);
  const auto max_attempts = s.max_attempts.value_or(3);
  if (max_attempts < 1 || max_attempts > 255)
    return "max_attempts";
  const auto delay = s.delay_ms.value_or(0);
  if (delay < 0 || delay > std::numeric_limits<std::uint32_t>::max())
    return "delay_ms";
  const auto attempts = s.attempts.value_or(0);
  if (attempts < 0 || attempts > 255)
    return "attempts";
  t.max_attempts = static_cast<std::uint8_t>(max_attempts);
  t.delay_ms = static_cast<std::uint32_t>(delay);
  t.attempts = static_cast<std::uint8_t>(attempts);
  t.submitted_at = s.submitted_at.value_or(0);
  t.retry_at = std::max<std::int64_t>(0, s.retry_at.value_or(0));
  return {};
}

// A message's bytes beyond its payloads, per task (id, type, keys, numbers):
// reserved once, so a typical message is written without reallocating.
constexpr std::size_t wire_bytes_per_task = 256;

std::string task_to_wire(const task& t, const op_registry& ops) {
  std::string out;
  out.reserve(wire_bytes_per_task + t.payload.size());
  append_wire_object(out, t, ops);
  return out;
}

std::string tasks_to_wire(std::span<const task> tasks, const op_registry& ops) {
  std::size_t payloads = 0;
  for (const auto& t : tasks)
    payloads += t.payload.size();
  std::string out;
  out.reserve(2 + tasks.size() * (wire_bytes_per_task + 1) + payloads);
  out += '[';
  for (const auto& t : tasks) {
    if (&t != tasks.data())
      out += ',';
    append_wire_object(out, t, ops);
  }
  out += ']';
  return out;
}

parsed<task> task_from_wire(std::string_view bytes, const op_registry& ops) {
  json::error_code ec;
  auto v = exact_json::parse(bytes, ec);
  if (ec || !v.is_object())
    return bad_wire("task message is not a JSON object");
  if (json_numbers::has_non_finite(v))
    return bad_wire("task message has a number out of range");
  return task_from_object(v.get_object(), ops);
}

std::vector<parsed<task>> tasks_from_wire(std::string_view bytes, const op_registry& ops) {
  if (auto plain = plain_tasks_from_wire(bytes, ops))
    return {std::make_move_iterator(plain->begin()), std::make_move_iterator(plain->end())};
  return tasks_from_wire_document(bytes, ops);
}

std::vector<parsed<task>> tasks_from_wire_document(std::string_view bytes,
                                                   const op_registry& ops) {
  // The message's DOM lives in one arena, freed at once: its nodes need no
  // allocation each and no walk to destroy (a third of the decoder's
  // instructions before).
  unsigned char first_block[8192];
  json::monotonic_resource arena(first_block, sizeof first_block);
  json::error_code ec;
  auto v = exact_json::parse(bytes, ec, {}, &arena);
  std::vector<parsed<task>> out;
  if (!ec && v.is_object()) {
    out.push_back(task_from_object(v.get_object(), ops));
  } else if (!ec && v.is_array() && !v.get_array().empty()) {
    out.reserve(v.get_array().size());
    for (const auto& e : v.get_array())
      out.push_back(!e.is_object() ? parsed<task>{bad_wire("task message is not a JSON object")}
                    : json_numbers::has_non_finite(e)
                      ? parsed<task>{bad_wire("task message has a number out of range")}
                      : task_from_object(e.get_object(), ops));
  } else {
    out.push_back(bad_wire("message is neither a task object nor a non-empty array of tasks"));
  }
  return out;
}

std::optional<wire_task> task_with_attempts(std::string_view bytes, std::size_t index,
                                              std::uint32_t extra_attempts, timestamp retry_at) {
  json::error_code ec;
  auto v = exact_json::parse(bytes, ec);
  if (ec)
    return std::nullopt;
  json::object* o = nullptr;
  if (v.is_object() && index == 0)
    o = &v.get_object();
  else if (v.is_array() && index < v.get_array().size() && v.get_array()[index].is_object())
    o = &v.get_array()[index].get_object();
  if (!o)
    return std::nullopt;
  std::int64_t base = 0;
  if (auto* a = o->if_contains("attempts"); a && a->is_int64())
    base = a->get_int64();
  (*o)["attempts"] = std::min<std::int64_t>(255, base + extra_attempts);
  if (retry_at > 0)
    (*o)["retry_at"] = retry_at;
  else
    o->erase("retry_at");
  wire_task out;
  if (auto* id = o->if_contains("id"); id && id->is_string())
    out.id = std::string(id->get_string());
  out.body = json::serialize(*o);
  return out;
}

} // namespace taskmesh
