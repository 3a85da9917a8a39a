// File: chaos/verify/settler.hpp
// After the load: reads GET /task/{id} for every accepted id, round after
// round, until each record is terminal (succeeded, failed, dead) or
// cfg.settle_timeout has passed. What is not terminal by then is lost,
// whether its record is gone (404) or stuck.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "chaos/verify/api_link.hpp"

namespace taskmesh::verify {

struct task_view {
  unsigned last_http = 0;   // status of the last GET (0: no answer)
  std::string status;       // "" until a record was read
  std::int64_t attempts = 0;
  std::int64_t max_attempts = 0;
  boost::json::value result;
  std::optional<std::int64_t> submitted_at_us;
  std::optional<std::int64_t> finished_at_us;
  bool terminal() const noexcept;
};

// Parses a GET /task/{id} body; nullopt when it is not a task record.
std::optional<task_view> parse_task_view(std::string_view body);

std::vector<task_view> settle_tasks(const verify_config& cfg, const api_set& apis,
                                    const std::vector<std::string>& ids, std::ostream& progress);

} // namespace taskmesh::verify
