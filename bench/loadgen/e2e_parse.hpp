// File: bench/loadgen/e2e_parse.hpp
// The three taskmesh answers the e2e mode reads, turned into plain data:
// the 202 of a submit, the counters of GET /stats, and a task record of
// GET /task/{id}. Lenient by design (a load generator should survive a
// field added to /stats), strict about what it actually uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace taskmesh::loadgen {

// {"id":"..","status":"queued"} -> {id}; {"ids":[..]} -> ids. nullopt if
// the body has neither.
std::optional<std::vector<std::string>> parse_accepted_ids(std::string_view body);

struct terminal_counts {
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t dead = 0;
  std::uint64_t total() const noexcept { return succeeded + failed + dead; }
};

// The terminal-task counters of a /stats body: the first object, searched
// breadth-first, with at least one numeric key among succeeded / failed /
// dead. Keys may carry a "tasks_" / "task_" prefix or a "_total" suffix
// (Prometheus style). nullopt if no such object exists.
std::optional<terminal_counts> parse_stats_terminal(std::string_view body);

struct polled_record {
  std::string status;
  std::optional<std::int64_t> submitted_at_us;
  std::optional<std::int64_t> finished_at_us;
  bool terminal() const noexcept;
};

// A GET /task/{id} body; nullopt if it is not an object with a string status.
std::optional<polled_record> parse_task_record(std::string_view body);

// RFC 3986 percent-encoding of everything outside the unreserved set, for
// ids placed in a path.
std::string encode_path_segment(std::string_view s);

} // namespace taskmesh::loadgen
