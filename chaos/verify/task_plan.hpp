// File: chaos/verify/task_plan.hpp
// The tasks a run submits, all known in advance: slot g gets the
// idempotency key "<run>-<g>", one of three ops with a payload derived from
// g, and the result that op must produce. A retried submit resends the very
// same body, so the server can only answer with the task it already has.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace taskmesh::verify {

struct planned_task {
  std::string key;  // idempotency_key
  std::string body; // POST /task JSON
  boost::json::value expected; // the record's "result" when the task succeeds
};

planned_task plan_task(std::string_view run_id, std::uint64_t slot);

// Lower-case hex SHA-256 of `data` (OpenSSL).
std::string sha256_hex(std::string_view data);

// A fresh run id: 12 hex digits from the system's random device.
std::string random_run_id();

} // namespace taskmesh::verify
