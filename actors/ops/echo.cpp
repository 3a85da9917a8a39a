// File: actors/ops/echo.cpp
// echo: returns the payload unchanged, {"payload": <payload>}. The payload is
// any JSON value, handed over already serialized (and checked at submit), so
// it is embedded verbatim rather than parsed and written again.
#include "actors/ops/builtin_ops.hpp"
#include "actors/ops/op_support.hpp"

namespace taskmesh {
namespace {

op_outcome run(const op_input& in) {
  const std::size_t size = in.payload.size() + 12;
  if (!in.budget.fits(size))
    return op_outcome::result_too_large(in.budget);
  std::string out;
  out.reserve(size);
  out += R"({"payload":)";
  out += in.payload;
  out += '}';
  return op_outcome::ok(std::move(out));
}

} // namespace

const op_definition& echo_op() {
  static constexpr op_definition def{"echo", payload_kind::json, ops::no_params, run};
  return def;
}

} // namespace taskmesh
