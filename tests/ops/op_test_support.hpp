// File: tests/ops/op_test_support.hpp
// Shorthands for the op tests: run an op with params written as JSON text,
// and read its result back as parsed JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "actors/ops/builtin_ops.hpp"

namespace taskmesh::test {

inline boost::json::object params_of(std::string_view params_json) {
  return boost::json::parse(params_json).as_object();
}

inline std::optional<params_error> validate(const op_definition& op,
                                            std::string_view params_json = "{}") {
  return op.validate(params_of(params_json));
}

// With a budget roomy enough not to matter (the op's semantics are under
// test), or with the one given (budget_test.cpp).
inline op_outcome run(const op_definition& op, std::string_view payload,
                      std::string_view params_json = "{}", std::uint32_t attempt = 1) {
  const boost::json::object params = params_of(params_json);
  op_budget budget{{std::size_t{1} << 30, std::chrono::seconds(60)}, op_budget::clock::now()};
  return op.run(op_input{payload, params, attempt, budget});
}

inline op_outcome run_within(op_budget& budget, const op_definition& op,
                             std::string_view payload, std::string_view params_json = "{}") {
  const boost::json::object params = params_of(params_json);
  return op.run(op_input{payload, params, 1, budget});
}

// The result of a run that must succeed, parsed (which also proves it is
// valid JSON). Fails the test and returns null otherwise.
inline boost::json::value ok_json(const op_outcome& out) {
  EXPECT_EQ(out.outcome, op_outcome::kind::ok) << out.value;
  if (out.outcome != op_outcome::kind::ok)
    return nullptr;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(out.value, ec);
  EXPECT_FALSE(ec) << "result is not valid JSON: " << out.value;
  return v;
}

inline boost::json::value run_ok(const op_definition& op, std::string_view payload,
                                 std::string_view params_json = "{}") {
  return ok_json(run(op, payload, params_json));
}

} // namespace taskmesh::test
