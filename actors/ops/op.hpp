// File: actors/ops/op.hpp
// What an operation is: a name, the payload it takes, a check of its params
// run at submit time (so bad input is a 400, not a failed task), and the
// function a worker runs. One op = one .cpp file in this folder plus one line
// in registry.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace taskmesh {

enum class payload_kind : std::uint8_t {
  text, // payload must be a JSON string; the op sees its decoded bytes
  json, // any JSON value; the op sees it serialized
};

// A params problem found at submit time. `field` is relative to params,
// e.g. "find" (the codec reports it as "params.find").
struct params_error {
  std::string field;
  std::string message;
};

// What a worker hands an op.
struct op_input {
  std::string_view payload;         // decoded text, or serialized JSON
  const boost::json::object& params; // validated at submit; delay_ms removed
  std::uint32_t attempt;             // 1 for the first start
};

// How one run of an op ended.
struct op_outcome {
  enum class kind : std::uint8_t { ok, permanent_failure, transient_failure };
  kind outcome = kind::ok;
  std::string value; // ok: serialized JSON result; failure: error message

  static op_outcome ok(std::string json) { return {kind::ok, std::move(json)}; }
  static op_outcome permanent(std::string msg) { return {kind::permanent_failure, std::move(msg)}; }
  static op_outcome transient(std::string msg) { return {kind::transient_failure, std::move(msg)}; }
};

struct op_definition {
  std::string_view name;
  payload_kind payload = payload_kind::text;
  // Checks params (delay_ms already removed). nullopt = valid.
  std::optional<params_error> (*validate)(const boost::json::object& params) = nullptr;
  // Runs the op. Must not block: delays are the worker's business, not the op's.
  op_outcome (*run)(const op_input& in) = nullptr;
};

} // namespace taskmesh
