// File: chaos/verify/load_record.hpp
// What the submit phase saw, slot by slot: which id each idempotency key got
// (202, or 200 for a retried key the server already had), how many tries it
// took, and when it was meant to go out and was answered. Plus the
// aggregates the verdict needs: submit latency per phase and accepted tasks
// per second. Written by the submitter's single thread only.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/loadgen/histogram.hpp"
#include "bench/loadgen/run_stats.hpp"
#include "chaos/verify/config.hpp"

namespace taskmesh::verify {

using steady = std::chrono::steady_clock;

struct slot_outcome {
  std::string id;          // "" = never accepted
  unsigned status = 0;     // the last HTTP status seen (0: only transport errors)
  std::uint32_t tries = 0; // requests sent for this key
  bool rejected = false;   // a 4xx that no retry can change
  std::int64_t intended_us = 0; // since the run's start
  std::int64_t answered_us = -1;
};

struct load_record {
  steady::time_point start;
  std::int64_t start_unix_us = 0; // the same instant on the system clock (for server timestamps)
  std::vector<slot_outcome> slots;
  std::array<loadgen::histogram, 3> latency_us; // submit latency by phase (steady, fault, recover)
  std::vector<std::uint64_t> accepted_per_s;    // by answer time, one entry per second
  std::map<unsigned, std::uint64_t> responses;  // every HTTP answer, by status
  std::array<std::uint64_t, loadgen::transport_error_kinds> transport_errors{};

  std::uint64_t accepted() const;
  std::uint64_t transport_error_count() const;
};

// The phase a moment (since start) falls in.
phase phase_at(const verify_config& cfg, std::chrono::nanoseconds since_start) noexcept;

} // namespace taskmesh::verify
