// File: actors/ops/op.hpp
// What an operation is: a name, the payload it takes, a check of its params
// run at submit time (so bad input is a 400, not a failed task), and the
// function a worker runs. One op = one .cpp file in this folder plus one line
// in registry.cpp.
#pragma once

#include <chrono>
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

// The limits of one run of an op (--max-result-bytes, --op-timeout). Ops
// whose result can outgrow their input compute its size before they build
// it; ops whose time can outgrow a linear pass over their input call
// expired() between units of work (a regex match), so a hostile task ends
// as a failure instead of holding a worker. The worker also checks the
// result's size after every run, for the ops that need no forecast.
class op_budget {
public:
  using clock = std::chrono::steady_clock;
  struct limits {
    std::size_t max_result_bytes = 1 << 20;
    std::chrono::milliseconds timeout{10'000};
  };
  // Told once, on the worker's thread, that the op is still running after
  // `slow_after`: the worker then records the task as running.
  using slow_callback = void (*)(void* context) noexcept;
  static constexpr std::chrono::milliseconds slow_after{1};

  op_budget() : op_budget(limits{}, clock::now()) {}
  op_budget(limits l, clock::time_point start, slow_callback on_slow = nullptr,
            void* context = nullptr) noexcept
    : limits_(l), start_(start), deadline_(start + l.timeout), on_slow_(on_slow),
      context_(context) {}

  std::size_t max_result_bytes() const noexcept { return limits_.max_result_bytes; }
  std::chrono::milliseconds timeout() const noexcept { return limits_.timeout; }
  bool fits(std::size_t result_bytes) const noexcept {
    return result_bytes <= limits_.max_result_bytes;
  }

  // True once the run is past its deadline. Reads the clock: call it per
  // unit of work, not per byte.
  bool expired() noexcept {
    const auto now = clock::now();
    if (on_slow_ && now - start_ >= slow_after) {
      const auto tell = on_slow_;
      on_slow_ = nullptr;
      tell(context_);
    }
    return now >= deadline_;
  }

private:
  limits limits_;
  clock::time_point start_;
  clock::time_point deadline_;
  slow_callback on_slow_;
  void* context_;
};

// What a worker hands an op.
struct op_input {
  std::string_view payload;         // decoded text, or serialized JSON
  const boost::json::object& params; // validated at submit; delay_ms removed
  std::uint32_t attempt;             // 1 for the first start
  op_budget& budget;                 // result size and time this run may use
};

// How one run of an op ended.
struct op_outcome {
  enum class kind : std::uint8_t { ok, permanent_failure, transient_failure };
  kind outcome = kind::ok;
  std::string value; // ok: serialized JSON result; failure: error message

  static op_outcome ok(std::string json) { return {kind::ok, std::move(json)}; }
  static op_outcome permanent(std::string msg) { return {kind::permanent_failure, std::move(msg)}; }
  static op_outcome transient(std::string msg) { return {kind::transient_failure, std::move(msg)}; }

  // The two budget failures. Permanent: the same input would fail again.
  // The message starts with the error's code.
  static op_outcome result_too_large(const op_budget& b) {
    return permanent("result_too_large: the result would be larger than " +
                     std::to_string(b.max_result_bytes()) + " bytes (--max-result-bytes)");
  }
  static op_outcome timed_out(const op_budget& b) {
    return permanent("timeout: the op ran longer than " + std::to_string(b.timeout().count()) +
                     " ms (--op-timeout)");
  }
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
