// File: chaos/verify/config.hpp
// What one taskmesh-verify run does, as plain data: where the api is, the
// open-loop rate, the three phases of the run (steady -> fault -> recover),
// how long accepted tasks may take to finish, where the per-task execution
// counters live, and the thresholds that make the verdict fail.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace taskmesh::verify {

using std::chrono::milliseconds;

// The run's time windows, by a task's intended submit time.
enum class phase : std::uint8_t { steady, fault, recover, settle, done };
const char* to_string(phase p) noexcept;

struct thresholds {
  std::optional<double> max_p99_during_ms;  // submit latency p99 while the fault lasts
  std::optional<double> max_recovery_s;     // time until throughput is back to 90%
  std::optional<std::uint64_t> max_failed;  // failed + dead tasks
  std::optional<std::uint64_t> max_refused; // keys never accepted within retry_for
};

struct api_url {
  std::string host;
  std::string port;
};

struct verify_config {
  // One api, or several (pods behind no load balancer, as in the local
  // scenarios): connections are spread over them and move to the next one
  // when theirs stops accepting connections.
  std::vector<api_url> apis{{"127.0.0.1", "8080"}};
  std::string auth_token; // sent as "Authorization: Bearer <token>" when set

  double rate = 100;   // tasks per second, open loop
  int connections = 16;
  milliseconds steady{10'000};  // before the fault
  milliseconds fault{30'000};   // the window an orchestrator injects the fault in
  milliseconds recover{20'000}; // load goes on after the fault is healed

  milliseconds request_timeout{5'000}; // one HTTP exchange
  milliseconds retry_for{120'000};     // a key is retried this long after its slot
  milliseconds settle_timeout{180'000}; // after the load: until every accepted task is terminal
  milliseconds progress_every{5'000};

  std::string valkey_url;               // "" = no per-task counters (verdict says so)
  std::string key_prefix = "taskmesh";  // taskmesh --subject-prefix
  bool exclusive = true; // the only client: /stats counter deltas must match exactly
  std::string run_id;    // idempotency keys are "<run_id>-<slot>"; random when empty

  thresholds limits;
};

} // namespace taskmesh::verify
