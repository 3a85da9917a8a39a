// File: actors/codec/task_wire.cpp
// The task as it travels between processes: the body of a NATS message in
// cluster mode. JSON, so a person can read it with `nats stream view` and
// replay it; ops travel by name (op indexes are only stable within one
// build), payloads keep their JSON form.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <boost/system/system_error.hpp>

#include "actors/codec/exact_json.hpp"
#include "actors/codec/json_numbers.hpp"
#include "actors/codec/task_codec.hpp"

namespace taskmesh {
namespace json = boost::json;
namespace {

constexpr std::int64_t wire_version = 1;

api_error bad_wire(std::string message, std::string field = {}) {
  return api_error{400, "invalid_task_message", std::move(message), std::move(field)};
}

// Payloads and params are stored as JSON the codec wrote, so they parse.
json::value parse_stored(std::string_view text) {
  json::error_code ec;
  auto v = exact_json::parse(text, ec);
  if (ec)
    throw boost::system::system_error(ec);
  return v;
}

} // namespace

namespace {

json::object wire_object(const task& t, const op_registry& ops) {
  const auto& op = ops.at(t.op);
  json::object o;
  o.reserve(12);
  o["v"] = wire_version;
  o["id"] = t.id.to_string();
  o["type"] = op.name;
  // Text payloads are stored decoded; JSON payloads are stored serialized.
  if (op.payload == payload_kind::text)
    o["payload"] = json::string_view{t.payload};
  else
    o["payload"] = parse_stored(t.payload.empty() ? std::string_view{"null"} : t.payload);
  if (!t.params.empty())
    o["params"] = parse_stored(t.params);
  o["priority"] = to_string(t.prio);
  o["max_attempts"] = t.max_attempts;
  o["delay_ms"] = t.delay_ms;
  o["submitted_at"] = t.submitted_at;
  if (!t.idempotency_key.empty())
    o["idempotency_key"] = t.idempotency_key.str();
  if (!t.traceparent.empty())
    o["traceparent"] = t.traceparent.str();
  if (!t.tenant.empty())
    o["tenant"] = t.tenant.str();
  // Only on a retry re-published by a worker (see task_with_attempts).
  if (t.attempts > 0)
    o["attempts"] = t.attempts;
  if (t.retry_at > 0)
    o["retry_at"] = t.retry_at;
  return o;
}

parsed<task> task_from_object(const json::object& o, const op_registry& ops) {
  json::error_code ec;
  auto int_field = [&](std::string_view name) -> std::optional<std::int64_t> {
    auto* f = o.if_contains(name);
    if (!f || !f->is_number())
      return std::nullopt;
    return f->to_number<std::int64_t>(ec);
  };
  if (int_field("v") != wire_version)
    return bad_wire("unsupported task message version", "v");

  task t;
  auto* id = o.if_contains("id");
  auto parsed_id = id && id->is_string() ? task_id::parse(id->get_string()) : std::nullopt;
  if (!parsed_id)
    return bad_wire("task message has no valid id", "id");
  t.id = *parsed_id;
  auto* type = o.if_contains("type");
  const op_definition* def =
    type && type->is_string() ? ops.find(type->get_string(), &t.op) : nullptr;
  if (!def)
    return bad_wire("task type is unknown or disabled on this process", "type");
  // A JSON op's payload is never empty: absent means null (as the request
  // codec does), or echo would answer {"payload":} (found by task_wire_fuzzer).
  if (def->payload == payload_kind::json)
    t.payload = "null";
  if (auto* payload = o.if_contains("payload")) {
    if (def->payload == payload_kind::text) {
      if (!payload->is_string())
        return bad_wire("payload of a text op must be a string", "payload");
      t.payload = std::string{payload->get_string()};
    } else {
      t.payload = json::serialize(*payload);
    }
  }
  if (auto* params = o.if_contains("params")) {
    if (!params->is_object())
      return bad_wire("params must be an object", "params");
    t.params = json::serialize(*params);
  }
  auto* prio = o.if_contains("priority");
  t.prio = prio && prio->is_string() && prio->get_string() == "high" ? priority::high
                                                                       : priority::normal;
  const auto max_attempts = int_field("max_attempts").value_or(3);
  if (max_attempts < 1 || max_attempts > 255)
    return bad_wire("max_attempts out of range", "max_attempts");
  t.max_attempts = static_cast<std::uint8_t>(max_attempts);
  const auto delay = int_field("delay_ms").value_or(0);
  if (delay < 0 || delay > std::numeric_limits<std::uint32_t>::max())
    return bad_wire("delay_ms out of range", "delay_ms");
  t.delay_ms = static_cast<std::uint32_t>(delay);
  t.submitted_at = int_field("submitted_at").value_or(0);
  if (auto* key = o.if_contains("idempotency_key"); key && key->is_string())
    t.idempotency_key = std::string{key->get_string()};
  if (auto* tp = o.if_contains("traceparent"); tp && tp->is_string())
    t.traceparent = std::string{tp->get_string()};
  if (auto* tenant = o.if_contains("tenant"); tenant && tenant->is_string())
    t.tenant = std::string{tenant->get_string()};
  const auto attempts = int_field("attempts").value_or(0);
  if (attempts < 0 || attempts > 255)
    return bad_wire("attempts out of range", "attempts");
  t.attempts = static_cast<std::uint8_t>(attempts);
  t.retry_at = std::max<std::int64_t>(0, int_field("retry_at").value_or(0));
  return t;
}

} // namespace

std::string task_to_wire(const task& t, const op_registry& ops) {
  return json::serialize(wire_object(t, ops));
}

std::string tasks_to_wire(std::span<const task> tasks, const op_registry& ops) {
  json::array a;
  a.reserve(tasks.size());
  for (const auto& t : tasks)
    a.emplace_back(wire_object(t, ops));
  return json::serialize(a);
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
  json::error_code ec;
  auto v = exact_json::parse(bytes, ec);
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
