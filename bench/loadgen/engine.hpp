// File: bench/loadgen/engine.hpp
// Entry point of the closed and open modes, callable as a library function
// (the binary is a thin wrapper): build the request, start the connections,
// run the loop, merge the per-thread stats.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bench/loadgen/accepted_ids.hpp"
#include "bench/loadgen/config.hpp"
#include "bench/loadgen/connection.hpp"
#include "bench/loadgen/run_stats.hpp"

namespace taskmesh::loadgen {

struct load_result {
  run_stats stats;
  // The measured window: from the end of the warm-up to the later of the
  // planned end and the last measured completion (count-based: to the last
  // completion).
  double duration_s = 0;
  std::string method;
  std::string path;
  std::size_t body_bytes = 0;
  std::size_t request_bytes = 0; // one request on the wire
  std::size_t tasks_per_request = 0;
  int threads = 0; // threads actually used
  std::vector<accepted_task> accepted; // with cfg.accepted_out: every measured 2xx's ids

  double rate() const noexcept;         // responses/s
  double ok_rate() const noexcept;      // 2xx/s
  std::uint64_t tasks() const noexcept; // tasks in 2xx answers
  double tasks_rate() const noexcept;
};

// Throws setup_error when nothing can be reached at cfg.host:cfg.port.
load_result run_load(const load_config& cfg);
// The same against already-resolved endpoints (tests, e2e).
load_result run_load(const load_config& cfg, const endpoints& eps);

} // namespace taskmesh::loadgen
