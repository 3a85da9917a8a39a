// File: bench/loadgen/report.hpp
// How a run is shown: one JSON object (for scripts: stdout with --json) and
// a short human summary (stdout, or stderr with --json). Field names are
// the contract with the bench scripts; keep them stable. Percentile keys
// are p50/p90/p99/p99_9 (no dot in a key, so jq and pandas'
// json_normalize paths stay unambiguous).
#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "bench/loadgen/config.hpp"
#include "bench/loadgen/e2e.hpp"
#include "bench/loadgen/engine.hpp"
#include "bench/loadgen/histogram.hpp"
#include "bench/loadgen/run_stats.hpp"

namespace taskmesh::loadgen {

// {"count","min","mean","p50","p90","p99","p99_9","max"}
boost::json::object latency_json(const histogram& h);
// {"total","by_status":{"503":n},"by_kind":{"connect":n,...every kind}}
boost::json::object errors_json(const run_stats& s);
// {"202":n,...}: every status seen, 2xx included
boost::json::object status_json(const run_stats& s);
// The flags that shaped the run.
boost::json::object config_json(const load_config& cfg);

boost::json::object load_report_json(const load_config& cfg, const load_result& r);
std::string load_report_text(const load_config& cfg, const load_result& r);

boost::json::object e2e_report_json(const load_config& cfg, const e2e_result& r);
std::string e2e_report_text(const load_config& cfg, const e2e_result& r);

} // namespace taskmesh::loadgen
