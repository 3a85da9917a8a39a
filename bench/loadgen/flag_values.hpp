// File: bench/loadgen/flag_values.hpp
// Parsers for the flag values that are more than a number: durations
// ("10s", "250ms", "2m", a bare number = seconds) and the target URL. Kept
// out of cli.cpp so they are unit-tested without CLI11.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace taskmesh::loadgen {

// ns, us, ms, s, m, h; fractions allowed ("1.5s"); negative rejected.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

struct parsed_url {
  std::string host;
  std::string port; // "80" when absent
  std::string path; // "" when absent
};

// http://host[:port][/path] only (the loadgen speaks plain HTTP/1.1);
// IPv6 hosts in brackets.
std::optional<parsed_url> parse_url(std::string_view text);

} // namespace taskmesh::loadgen
