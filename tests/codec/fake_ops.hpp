// File: tests/codec/fake_ops.hpp
// A small op table for the codec tests, independent of the real ops: a text
// op without params, a JSON op, an op with required params, one that takes no
// params at all, one that records what its check saw, and a disabled one.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "actors/codec/task_codec.hpp"
#include "actors/ops/registry.hpp"

namespace taskmesh::codec_test {

// The registry insists on a check and a run function for every op.
inline std::optional<params_error> accept_any(const boost::json::object&) {
  return std::nullopt;
}

inline op_outcome run_nothing(const op_input&) {
  return op_outcome::ok("null");
}

inline std::optional<params_error> validate_replace(const boost::json::object& p) {
  for (const auto& kv : p) {
    if (kv.key() != "find" && kv.key() != "replace") {
      return params_error{std::string(kv.key()), "unknown parameter"};
    }
  }
  const auto* find = p.if_contains("find");
  if (!find || !find->is_string() || find->get_string().empty()) {
    return params_error{"find", "find must be a non-empty string"};
  }
  const auto* repl = p.if_contains("replace");
  if (!repl || !repl->is_string()) return params_error{"replace", "replace must be a string"};
  return std::nullopt;
}

inline std::optional<params_error> validate_strict(const boost::json::object& p) {
  if (!p.empty()) return params_error{"", "strict takes no params"};
  return std::nullopt;
}

// What the "spy" op's check was last given, serialized.
inline std::string& spy_seen() {
  static std::string seen;
  return seen;
}

inline std::optional<params_error> validate_spy(const boost::json::object& p) {
  spy_seen() = boost::json::serialize(p);
  return std::nullopt;
}

inline const op_definition wordcount_op{"wordcount", payload_kind::text, &accept_any, &run_nothing};
inline const op_definition echo_op{"echo", payload_kind::json, &accept_any, &run_nothing};
inline const op_definition replace_op{"replace", payload_kind::text, &validate_replace,
                                      &run_nothing};
inline const op_definition strict_op{"strict", payload_kind::json, &validate_strict, &run_nothing};
inline const op_definition spy_op{"spy", payload_kind::json, &validate_spy, &run_nothing};
inline const op_definition legacy_op{"legacy", payload_kind::text, &accept_any, &run_nothing};

// Indexes: wordcount 0, echo 1, replace 2, strict 3, spy 4, legacy 5 (disabled).
inline op_registry fake_registry() {
  op_registry r;
  r.add(wordcount_op);
  r.add(echo_op);
  r.add(replace_op);
  r.add(strict_op);
  r.add(spy_op);
  r.add(legacy_op);
  r.disable("legacy");
  return r;
}

// Parses `body` (which must be valid JSON) and runs parse_task on it.
inline parsed<task> parse_task_text(std::string_view body, const op_registry& ops,
                                    const codec_limits& limits = {}) {
  auto v = parse_json_body(body, limits);
  if (auto* e = std::get_if<api_error>(&v)) {
    ADD_FAILURE() << "test body is not valid JSON: " << e->message;
    return *e;
  }
  return parse_task(std::get<boost::json::value>(v), ops, limits);
}

// Every field the codec carries but the id and submission time (which a
// request parse makes new), compared with `context` named on failure.
inline void expect_same_fields(const task& a, const task& b, const std::string& context) {
  EXPECT_EQ(a.op, b.op) << context;
  EXPECT_EQ(a.prio, b.prio) << context;
  EXPECT_EQ(a.max_attempts, b.max_attempts) << context;
  EXPECT_EQ(a.attempts, b.attempts) << context;
  EXPECT_EQ(a.delay_ms, b.delay_ms) << context;
  EXPECT_EQ(a.retry_at, b.retry_at) << context;
  EXPECT_EQ(a.payload, b.payload) << context;
  EXPECT_EQ(a.params, b.params) << context;
  EXPECT_EQ(a.idempotency_key, b.idempotency_key) << context;
  EXPECT_EQ(a.traceparent, b.traceparent) << context;
  EXPECT_EQ(a.tenant, b.tenant) << context;
}

template <class T>
api_error error_of(const parsed<T>& r) {
  if (const auto* e = std::get_if<api_error>(&r)) return *e;
  ADD_FAILURE() << "expected an error, got a value";
  return {};
}

template <class T>
T value_of(parsed<T> r) {
  if (auto* e = std::get_if<api_error>(&r)) {
    ADD_FAILURE() << "unexpected error " << e->code << " field '" << e->field
                  << "': " << e->message;
    return {};
  }
  return std::move(std::get<T>(r));
}

} // namespace taskmesh::codec_test
