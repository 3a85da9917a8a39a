// File: actors/pipeline.hpp
// The settings each actor of the graph receives (its slice of the process
// configuration), and the few gauges that actors publish for lock-free
// reading by the stats actor and the health checks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace taskmesh {

using std::chrono::milliseconds;

struct dispatcher_config {
  std::uint32_t max_in_flight = 10'000;
  std::uint32_t batch_size = 128; // tasks per hand-out to one worker
};

struct retry_policy {
  milliseconds base_delay{100};
  milliseconds max_delay{30'000};
  // While a task that came with a transport receipt waits out its delay_ms,
  // the worker reports progress this often (cluster: in-progress acks that
  // extend JetStream's AckWait; must be well below it).
  milliseconds keepalive{5'000};
  // Exponential with "equal jitter": half the step fixed, half random, so
  // retries of tasks that failed together spread out but never come early.
  milliseconds delay_for(std::uint32_t failed_attempts, std::uint64_t random) const;
};

class task_event_hub;

struct store_config {
  std::uint64_t max_records = 1'000'000;
  milliseconds result_ttl{24 * 3600 * 1000};
  task_event_hub* events = nullptr; // where applied changes go live (optional)
};

// Written by one actor each, read by anyone.
struct pipeline_gauges {
  std::atomic<std::int64_t> in_flight{0}; // dispatcher
  std::atomic<std::int64_t> high_lane{0}; // dispatcher: tasks waiting in the high lane
  std::atomic<std::int64_t> records{0};   // store
  std::atomic<bool> draining{false};      // process: shutting down, take no new work
};

} // namespace taskmesh
