// File: chaos/verify/execution_counters.hpp
// Reads the per-task execution counters the workers keep in each task's
// Valkey record (docs/chaos.md, "The per-task execution counter"):
//   executions  outcomes workers wrote for the task (results and retry
//               waits, including those the store refused as late)
//   commits     terminal results the store applied: 1 for a finished task
// One GET per id, pipelined 500 at a time, through taskmesh's own Valkey
// client and record codec (transport/valkey).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace taskmesh::verify {

struct execution_count {
  bool found = false; // the task's record exists
  std::int64_t executions = 0;
  std::int64_t commits = 0;
};

struct execution_counts {
  std::vector<execution_count> by_task; // in the order of the ids asked for
  std::string error;                    // "" when every id was read
};

execution_counts read_execution_counts(const std::string& valkey_url, const std::string& prefix,
                                       const std::vector<std::string>& ids);

} // namespace taskmesh::verify
