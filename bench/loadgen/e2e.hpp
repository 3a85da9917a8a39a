// File: bench/loadgen/e2e.hpp
// The end-to-end mode: how long taskmesh takes to *finish* N tasks, not
// just to accept them.
//   1. snapshot GET /stats (terminal counters before the run);
//   2. submit N tasks closed-loop over C connections (POST /task, or
//      POST /tasks in batches), keeping a random sample of the returned ids;
//   3. poll GET /stats until the terminal counters have advanced by the
//      number of accepted tasks (or, without usable /stats, poll the sample
//      until every sampled task is terminal), bounded by --e2e-timeout;
//   4. read the sampled records (GET /task/{id}) for the submit->finish
//      latency distribution.
// Throughput is accepted tasks over first submit -> completion observed.
#pragma once

#include <cstdint>
#include <string>

#include "bench/loadgen/config.hpp"
#include "bench/loadgen/connection.hpp"
#include "bench/loadgen/histogram.hpp"
#include "bench/loadgen/run_stats.hpp"

namespace taskmesh::loadgen {

struct sample_counts {
  std::uint64_t size = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t dead = 0;
  std::uint64_t unfinished = 0; // still not terminal at the deadline
  std::uint64_t unreadable = 0; // no readable record (404, bad JSON, transport error)
};

struct e2e_result {
  run_stats submit; // the submit phase, like a closed-loop run
  std::uint64_t submit_requests = 0;
  std::uint64_t tasks_submitted = 0;  // tasks in the requests sent
  std::uint64_t tasks_accepted = 0;   // ids returned in 2xx answers
  std::uint64_t unparsed_answers = 0; // 2xx answers without ids
  double submit_s = 0;                // first submit -> last submit answer

  std::string completion_source;       // "stats" or "sample"
  bool completed = false;              // everything terminal before the deadline
  std::uint64_t terminal_observed = 0; // stats: counter delta; sample: terminal sampled
  double total_s = 0;                  // first submit -> completion observed
  double poll_interval_s = 0;          // the resolution of total_s

  histogram latency_us; // submitted_at -> finished_at, sampled tasks
  sample_counts sample;
  std::uint64_t poll_requests = 0;

  double submit_rate() const noexcept; // accepted tasks/s while submitting
  double tasks_rate() const noexcept;  // accepted tasks/s, end to end
};

// Throws setup_error when nothing can be reached at cfg.host:cfg.port.
e2e_result run_e2e(const load_config& cfg);
e2e_result run_e2e(const load_config& cfg, const endpoints& eps);

} // namespace taskmesh::loadgen
