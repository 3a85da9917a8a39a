// File: actors/ops/fail.cpp
// fail: a diagnostic op for exercising retries and dead-lettering.
//   {"transient": false} (default)  -> permanent failure, every attempt
//   {"transient": true}             -> transient failure, every attempt
//   {"transient": true, "times": N} -> transient failure on attempts 1..N,
//                                      then ok {"attempt": <attempt>}
#include <cstdint>

#include "actors/model/decimal.hpp"
#include "actors/ops/builtin_ops.hpp"
#include "actors/ops/op_support.hpp"

namespace taskmesh {
namespace {

std::optional<params_error> validate(const boost::json::object& params) {
  for (const auto& kv : params) {
    const std::string_view key = kv.key();
    if (key == "transient") {
      if (!kv.value().is_bool())
        return ops::wrong_type(key, "a boolean", kv.value());
    } else if (key == "times") {
      const auto n = ops::as_integer(kv.value());
      if (!n)
        return ops::wrong_type(key, "an integer", kv.value());
      if (*n < 1)
        return ops::param_error(key, "must be at least 1");
    } else {
      return ops::unknown_param(key);
    }
  }
  return std::nullopt;
}

op_outcome run(const op_input& in) {
  const auto* transient = in.params.if_contains("transient");
  if (transient == nullptr || !transient->is_bool() || !transient->get_bool())
    return op_outcome::permanent("fail: permanent failure requested");

  const auto* times_value = in.params.if_contains("times");
  const auto times = times_value ? ops::as_integer(*times_value) : std::nullopt;
  if (times_value == nullptr || (times && static_cast<std::int64_t>(in.attempt) <= *times)) {
    std::string msg = "fail: transient failure requested (attempt ";
    append_decimal(msg, in.attempt);
    msg += ')';
    return op_outcome::transient(std::move(msg));
  }
  if (!times)
    return op_outcome::permanent("fail: \"times\" must be an integer");

  std::string out = R"({"attempt":)";
  append_decimal(out, in.attempt);
  out += '}';
  return op_outcome::ok(std::move(out));
}

} // namespace

const op_definition& fail_op() {
  static constexpr op_definition def{"fail", payload_kind::text, validate, run};
  return def;
}

} // namespace taskmesh
