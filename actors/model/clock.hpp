// File: actors/model/clock.hpp
// Wall-clock timestamps as microseconds since the Unix epoch (0 = "not yet"),
// and their RFC 3339 form with milliseconds, as the API shows them.
#pragma once

#include <cstdint>
#include <string>

namespace taskmesh {

using timestamp = std::int64_t; // microseconds since 1970-01-01T00:00:00Z

timestamp now_us() noexcept;

// "2026-11-22T02:12:15.123Z"
std::string to_rfc3339(timestamp t);

} // namespace taskmesh
