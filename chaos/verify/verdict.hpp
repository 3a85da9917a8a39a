// File: chaos/verify/verdict.hpp
// Turns what the run saw into figures and a pass/fail verdict: every
// accepted task must end terminal (else lost), count once (per-task commit
// counter, and the /stats counters when the verifier is the only client),
// and carry the result its payload implies. Thresholds from the command
// line add their own failures. JSON for machines, one line for people.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "bench/loadgen/e2e_parse.hpp"
#include "chaos/verify/execution_counters.hpp"
#include "chaos/verify/load_record.hpp"
#include "chaos/verify/settler.hpp"

namespace taskmesh::verify {

struct phase_latency {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  std::uint64_t samples = 0;
};

struct summary {
  std::uint64_t planned = 0;    // keys the run meant to submit
  std::uint64_t accepted = 0;   // keys answered 202 or 200 with an id
  std::uint64_t retried_keys = 0; // keys sent more than once
  std::uint64_t refused = 0;    // keys still unanswered after --retry-for
  std::uint64_t rejected = 0;   // keys answered a 4xx no retry can change
  std::uint64_t unavailable = 0; // 5xx answers (each retried)
  std::uint64_t transport_errors = 0; // resets, refused connects, timeouts (each retried)
  std::uint64_t succeeded = 0, failed = 0, dead = 0;
  std::uint64_t lost = 0;       // accepted, not terminal at the end (missing included)
  std::uint64_t missing = 0;    // of those, GET answered 404
  std::uint64_t redelivered = 0; // records with attempts > 1 (ran again; allowed)
  std::uint64_t rerun = 0;      // executions counter > 1 (ran again; allowed)
  std::uint64_t executed_twice = 0; // commits > 1, plus counted twice in /stats
  std::uint64_t uncounted = 0;  // terminal tasks without a commit counter
  std::optional<std::int64_t> stats_excess; // /stats terminal delta - terminal tasks
  std::uint64_t wrong_results = 0;
  std::string counters_error;   // why the per-task counters were not read
  phase_latency submit[3];      // steady, fault, recover: intended send -> final answer
  phase_latency e2e[3];         // submitted_at -> finished_at of the task
  double steady_accepted_per_s = 0, steady_finished_per_s = 0;
  std::optional<double> recovery_s;  // fault start -> throughput back to 90% (3 s windows)
  std::optional<double> after_heal_s; // the same, counted from the end of the fault window
  bool dipped = false;          // throughput fell below 90% after the fault began
  std::vector<std::uint64_t> accepted_per_s, finished_per_s; // second by second, from the start
  std::vector<std::string> failures; // empty: PASS
};

struct stats_terminal {
  loadgen::terminal_counts before, after;
};

summary judge(const verify_config& cfg, const load_record& rec,
              const std::vector<std::size_t>& accepted_slots, const std::vector<task_view>& views,
              const std::optional<execution_counts>& counts,
              const std::optional<stats_terminal>& stats);

boost::json::object to_json(const verify_config& cfg, const summary& s);
std::string one_line(const summary& s);

} // namespace taskmesh::verify
