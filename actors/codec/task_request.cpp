// File: actors/codec/task_request.cpp
// Request side of the codec: body bytes -> JSON value -> validated task(s)
// (the common shape skips the JSON value: plain_tasks.cpp).
// Runs on the HTTP threads for every submitted task, so each task object is
// walked once, nothing is copied that is not kept, and errors are built only
// on the failure path.
#include "actors/codec/task_codec.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>

#include "actors/codec/json_numbers.hpp"
#include "actors/codec/task_members.hpp"
#include "actors/codec/task_rules.hpp"
#include "actors/codec/utf8.hpp"

namespace taskmesh {

namespace json = boost::json;

namespace {

api_error invalid_field(std::string field, std::string message) {
  return api_error{400, "invalid_field", std::move(message), std::move(field)};
}

api_error invalid_json(std::string_view body, std::size_t offset, const json::error_code& ec) {
  if (body.empty()) return api_error{400, "invalid_json", "invalid JSON: request body is empty", ""};
  std::string msg = "invalid JSON at byte " + std::to_string(offset) + ": ";
  // Boost reports bad UTF-8 as a plain "syntax error"; say what it is.
  if (offset < body.size() && utf8::sequence_length(body, offset) == 0) {
    msg += "invalid UTF-8";
  } else {
    msg += ec.message();
  }
  return api_error{400, "invalid_json", std::move(msg), ""};
}

// A JSON integer (not a float, not a bool) within [lo, hi], or nullopt.
// Floats are refused even when integral (3.0): clients that send them are
// usually computing the value, and "integer" is the documented type.
std::optional<std::uint64_t> integer_in(const json::value& v, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t n;
  if (v.is_uint64()) {
    n = v.get_uint64();
  } else if (v.is_int64() && v.get_int64() >= 0) {
    n = static_cast<std::uint64_t>(v.get_int64());
  } else {
    return std::nullopt;
  }
  if (n < lo || n > hi) return std::nullopt;
  return n;
}

api_error bad_integer(std::string field, const json::value& v, std::uint64_t lo, std::uint64_t hi) {
  std::string msg = field + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (v.is_int64()) {
    msg += ", got " + std::to_string(v.get_int64());
  } else if (v.is_uint64()) {
    msg += ", got " + std::to_string(v.get_uint64());
  }
  return invalid_field(std::move(field), std::move(msg));
}

// Echo a client-supplied name in a message only while it stays readable.
std::string quoted_if_short(std::string_view s) {
  if (s.size() > 64) return "";
  std::string out;
  out.reserve(s.size() + 3);
  out.append(" \"").append(s).append("\"");
  return out;
}

// The members of a task object, found in one pass (names:
// task_members.hpp).
struct task_fields {
  const json::value* type = nullptr;
  const json::value* payload = nullptr;
  const json::value* params = nullptr;
  const json::value* priority = nullptr;
  const json::value* idempotency_key = nullptr;
  const json::value* max_attempts = nullptr;
};

// Returns the slot for `key`, or nullptr if it is not a task field.
const json::value** slot_for(task_fields& f, std::string_view key) {
  using task_members::request;
  switch (task_members::request_member(key)) {
    case request::type: return &f.type;
    case request::payload: return &f.payload;
    case request::params: return &f.params;
    case request::priority: return &f.priority;
    case request::idempotency_key: return &f.idempotency_key;
    case request::max_attempts: return &f.max_attempts;
    case request::none: return nullptr;
  }
  return nullptr;
}

// params (nullptr when absent): strips delay_ms into t.delay_ms, runs the
// op's check on the rest, stores the rest serialized ("" when nothing is
// left). The check runs even without params, so required ones are enforced.
std::optional<api_error> apply_params(const json::value* v, const op_definition& def,
                                      const codec_limits& limits, task& t) {
  static const json::object no_params;
  const json::object* params = &no_params;
  if (v) {
    params = v->if_object();
    if (!params) return invalid_field("params", "params must be a JSON object");
  }

  const json::value* delay = nullptr;
  for (const auto& kv : *params) {
    if (kv.key() == "delay_ms") {
      delay = &kv.value();
      break;
    }
  }

  // Copy only when delay_ms has to come out, and keep the client's order.
  json::object stripped;
  const json::object* rest = params;
  if (delay) {
    const auto ms = integer_in(*delay, 0, limits.max_delay_ms);
    if (!ms) return bad_integer("params.delay_ms", *delay, 0, limits.max_delay_ms);
    t.delay_ms = static_cast<std::uint32_t>(*ms);
    if (params->size() > 1) {
      stripped.reserve(params->size() - 1);
      for (const auto& kv : *params) {
        if (&kv.value() != delay) stripped.emplace(kv.key(), kv.value());
      }
    }
    rest = &stripped;
  }

  if (def.validate) {
    if (auto err = def.validate(*rest)) {
      std::string field = err->field.empty() ? "params" : "params." + err->field;
      return invalid_field(std::move(field), std::move(err->message));
    }
  }
  if (!rest->empty()) t.params = json::serialize(*rest);
  return std::nullopt;
}

} // namespace

parsed<json::value> parse_json_body(std::string_view body, const codec_limits& limits,
                                    json::storage_ptr storage) {
  json::parse_options opts;
  opts.max_depth = limits.max_json_depth;
  // The buffer holds only the parser's temporary stack (the constructor's
  // storage is for that stack too); the value it returns lives in
  // `storage`, given to reset(), so it safely outlives this frame. (Given
  // to the constructor instead, the handlers' arenas went unused: every
  // node came from the heap and was freed one by one, 900 instructions
  // per task of POST /tasks, callgrind.)
  unsigned char scratch[4096];
  json::parser p({}, opts, scratch, sizeof scratch);
  p.reset(std::move(storage));
  json::error_code ec;
  const std::size_t used = p.write_some(body.data(), body.size(), ec);
  if (ec) return invalid_json(body, used, ec);
  if (used != body.size()) {
    return api_error{400, "invalid_json",
                     "invalid JSON at byte " + std::to_string(used) +
                         ": unexpected data after the JSON value",
                     ""};
  }
  json::value v = p.release();
  if (json_numbers::has_non_finite(v)) {
    return api_error{400, "invalid_json",
                     "invalid JSON: a number is out of range (it does not fit a 64-bit double)", ""};
  }
  return v;
}

parsed<task> parse_task(const json::value& v, const op_registry& ops, const codec_limits& limits) {
  const json::object* obj = v.if_object();
  if (!obj) return invalid_field("", "task must be a JSON object");

  task_fields f;
  for (const auto& kv : *obj) {
    const json::value** slot = slot_for(f, kv.key());
    if (!slot) return invalid_field(std::string(kv.key()), "unknown field");
    *slot = &kv.value();
  }

  task t;

  // type first: it decides how payload and params are checked.
  std::string_view type_name = task_rules::default_type;
  if (f.type) {
    const json::string* s = f.type->if_string();
    if (!s) return invalid_field("type", "type must be a string");
    type_name = *s;
  }
  const op_definition* def = ops.find(type_name, &t.op);
  if (!def) {
    return api_error{400, "unknown_type",
                     "type" + quoted_if_short(type_name) + " is not a known task type", "type"};
  }

  if (def->payload == payload_kind::text) {
    if (f.payload) {
      const json::string* s = f.payload->if_string();
      if (!s) {
        return invalid_field("payload", "payload must be a JSON string for task type \"" +
                                            std::string(def->name) + "\"");
      }
      t.payload.assign(s->data(), s->size());
    }
  } else {
    t.payload = f.payload ? json::serialize(*f.payload) : std::string("null");
  }

  if (auto err = apply_params(f.params, *def, limits, t)) return std::move(*err);

  if (f.priority) {
    const json::string* s = f.priority->if_string();
    const auto prio = s ? priority_named(*s) : std::nullopt;
    if (!prio) return invalid_field("priority", "priority must be \"high\" or \"normal\"");
    t.prio = *prio;
  }

  if (f.idempotency_key) {
    const json::string* s = f.idempotency_key->if_string();
    if (!s) return invalid_field("idempotency_key", "idempotency_key must be a string");
    if (s->empty() || s->size() > limits.max_idempotency_key) {
      return invalid_field("idempotency_key",
                           "idempotency_key must be 1 to " + std::to_string(limits.max_idempotency_key) +
                               " bytes long, got " + std::to_string(s->size()));
    }
    t.idempotency_key.assign(std::string_view{s->data(), s->size()});
  }

  if (f.max_attempts) {
    constexpr auto lo = static_cast<std::uint64_t>(task_rules::min_attempts);
    constexpr auto hi = static_cast<std::uint64_t>(task_rules::max_attempts);
    const auto n = integer_in(*f.max_attempts, lo, hi);
    if (!n) return bad_integer("max_attempts", *f.max_attempts, lo, hi);
    t.max_attempts = static_cast<std::uint8_t>(*n);
  }

  task_rules::stamp_new(t);
  return t;
}

parsed<std::vector<task>> parse_task_batch(const json::value& v, const op_registry& ops,
                                           const codec_limits& limits) {
  const json::array* arr = v.if_array();
  if (!arr) return invalid_field("", "task batch must be a JSON array of task objects");
  if (arr->empty() || arr->size() > limits.max_batch) {
    return invalid_field("", "task batch must contain 1 to " + std::to_string(limits.max_batch) +
                                 " tasks, got " + std::to_string(arr->size()));
  }

  std::vector<task> tasks;
  tasks.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); ++i) {
    auto one = parse_task((*arr)[i], ops, limits);
    if (auto* err = std::get_if<api_error>(&one)) {
      const std::string index = "[" + std::to_string(i) + "]";
      err->field = err->field.empty() ? index : index + "." + err->field;
      err->message = "task " + index + ": " + err->message;
      return std::move(*err);
    }
    tasks.push_back(std::move(std::get<task>(one)));
  }
  return tasks;
}

namespace {

// The general path for a body: a document (its nodes from a buffer on the
// stack, not one by one from the heap; it only lives until the tasks are
// built), then `to_tasks` on it.
template <class T, class ToTasks>
parsed<T> via_document(std::string_view body, const codec_limits& limits, ToTasks to_tasks) {
  unsigned char buffer[8192];
  json::monotonic_resource memory(buffer, sizeof buffer);
  auto value = parse_json_body(body, limits, &memory);
  if (auto* e = std::get_if<api_error>(&value))
    return std::move(*e);
  return to_tasks(std::get<json::value>(value));
}

} // namespace

parsed<std::vector<task>> parse_tasks_body(std::string_view body, const op_registry& ops,
                                           const codec_limits& limits) {
  if (auto tasks = parse_plain_tasks(body, true, ops, limits))
    return std::move(*tasks);
  return via_document<std::vector<task>>(
    body, limits, [&](const json::value& v) { return parse_task_batch(v, ops, limits); });
}

parsed<task> parse_task_body(std::string_view body, const op_registry& ops,
                             const codec_limits& limits) {
  if (auto tasks = parse_plain_tasks(body, false, ops, limits))
    return std::move(tasks->front());
  return via_document<task>(body, limits,
                            [&](const json::value& v) { return parse_task(v, ops, limits); });
}

} // namespace taskmesh
