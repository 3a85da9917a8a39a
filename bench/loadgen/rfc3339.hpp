// File: bench/loadgen/rfc3339.hpp
// Reads the timestamps taskmesh puts in task records ("2026-11-22T02:12:15.123Z")
// back into microseconds since the Unix epoch, for the e2e latency.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace taskmesh::loadgen {

// YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm); 't'/'z' and a space
// separator accepted; fraction digits beyond microseconds are dropped.
// nullopt on anything else, including out-of-range fields.
std::optional<std::int64_t> parse_rfc3339_us(std::string_view text);

} // namespace taskmesh::loadgen
