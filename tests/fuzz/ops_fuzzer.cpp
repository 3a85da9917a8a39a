// File: tests/fuzz/ops_fuzzer.cpp
// Every op with arbitrary payload and params, under the result and time
// budgets, as a worker runs it after the codec accepted the task. The input
// picks the op, then carries params (JSON text) and the payload.
// Checks: no crash or sanitizer report; params the op's validate() refuses
// are not run (as at submit); a success is valid JSON within
// --max-result-bytes; every run ends within the op timeout plus a margin
// (one unit of work), so no input can hold a worker.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <fuzzer/FuzzedDataProvider.h>

#include "actors/codec/utf8.hpp"
#include "actors/ops/registry.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace taskmesh;
using namespace std::chrono_literals;

namespace {

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8::sequence_length(s, i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

// Small enough that the fuzzer hits both limits often.
constexpr op_budget::limits limits{16 * 1024, std::chrono::milliseconds{200}};
constexpr auto margin = 2s; // sanitizers and a loaded machine slow one match down

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const op_registry ops = op_registry::builtin();
  FuzzedDataProvider in(data, size);
  const auto index = in.ConsumeIntegralInRange<std::size_t>(0, ops.size() - 1);
  const op_definition& op = ops.at(static_cast<op_index>(index));
  const std::string params_text = in.ConsumeRandomLengthString(256);
  const std::string payload = in.ConsumeRemainingBytesAsString();

  // What the codec would have let through.
  boost::system::error_code ec;
  auto params_value = boost::json::parse(params_text, ec);
  boost::json::object params;
  if (!ec && params_value.is_object())
    params = std::move(params_value.get_object());
  if (op.validate && op.validate(params))
    return 0;
  if (op.payload == payload_kind::text ? !valid_utf8(payload) : !fuzz::is_json(payload))
    return 0;

  const auto start = op_budget::clock::now();
  op_budget budget{limits, start};
  const op_outcome out = op.run({payload, params, 1, budget});
  const auto took = op_budget::clock::now() - start;
  fuzz::check(took < limits.timeout + margin, "op ran past its time budget", op.name);
  if (out.outcome == op_outcome::kind::ok) {
    fuzz::check(fuzz::is_json(out.value), "op result is not JSON", out.value);
    // The worker turns an oversized result into result_too_large; the ops
    // that forecast must never build one.
    if (op.name == "echo" || op.name == "uppercase" || op.name == "lowercase" ||
        op.name == "replace" || op.name == "extract")
      fuzz::check(out.value.size() <= limits.max_result_bytes, "forecast missed the size limit",
                  op.name);
  }
  return 0;
}
