// File: bench/loadgen/accepted_ids.hpp
// The ids the server accepted, each with the time its request was due
// (open loop: the intended send time; closed loop: the actual send), as
// microseconds since the Unix epoch. With `--accepted-out FILE` the closed
// and open modes keep them for every measured 2xx answer (read with
// e2e_parse.hpp's parse_accepted_ids, as the e2e mode reads them) and write
// one "<id> <due_us>" line each, so that a script can later read every
// task's record (finished_at is on the server's wall clock, the same
// machine's) and get submit -> finish latency for all tasks of a run.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace taskmesh::loadgen {

struct accepted_task {
  std::string id;
  std::int64_t due_us = 0; // wall clock, microseconds since the epoch
};

// Maps steady-clock instants (what the loops time with) onto the wall
// clock, from one pair of readings taken at construction.
class wall_clock_mapping {
public:
  wall_clock_mapping() noexcept
    : steady_(std::chrono::steady_clock::now()), wall_(std::chrono::system_clock::now()) {}
  std::int64_t epoch_us(std::chrono::steady_clock::time_point t) const noexcept {
    const auto wall = wall_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                  t - steady_);
    return std::chrono::duration_cast<std::chrono::microseconds>(wall.time_since_epoch()).count();
  }

private:
  std::chrono::steady_clock::time_point steady_;
  std::chrono::system_clock::time_point wall_;
};

// Writes "<id> <due_us>\n" per task. False (and errno set) when the file
// cannot be written.
bool write_accepted(const std::string& path, const std::vector<accepted_task>& tasks);

} // namespace taskmesh::loadgen
