// File: bench/loadgen/report_format.hpp
// Small text helpers shared by the human-readable summaries.
#pragma once

#include <cstdint>
#include <string>

#include <boost/json/value.hpp>

#include "bench/loadgen/histogram.hpp"
#include "bench/loadgen/run_stats.hpp"

namespace taskmesh::loadgen {

// printf into a std::string.
[[gnu::format(printf, 1, 2)]] std::string sformat(const char* fmt, ...);

inline unsigned long long ull(std::uint64_t v) {
  return v;
}

// "p50 1.2ms  p90 ..  p99 ..  p99.9 ..  max ..  mean .. (n samples)"
std::string latency_line(const histogram& h);
// "0" or "12: 503 x10, timeout x2"
std::string errors_line(const run_stats& s);
// Compact JSON like boost::json::serialize, but doubles in their shortest
// round-trip form ("3.4888", not "3.4888E0"), as GET /stats writes them.
std::string json_text(const boost::json::value& v);

// "12.3 MB"
std::string bytes_text(std::uint64_t bytes);
// "850us", "12.3ms", "1.52s"
std::string micros_text(double us);

} // namespace taskmesh::loadgen
