// File: bench/loadgen/flag_values.cpp
#include "bench/loadgen/flag_values.hpp"

#include <charconv>
#include <cmath>

namespace taskmesh::loadgen {

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  double value = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || end == first || !std::isfinite(value) || value < 0) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(last - end));
  double scale = 0;
  if (unit.empty() || unit == "s")
    scale = 1e9;
  else if (unit == "ms")
    scale = 1e6;
  else if (unit == "us")
    scale = 1e3;
  else if (unit == "ns")
    scale = 1;
  else if (unit == "m")
    scale = 60e9;
  else if (unit == "h")
    scale = 3600e9;
  else
    return std::nullopt;
  const double ns = value * scale;
  if (ns > 1e18) return std::nullopt; // ~31 years: a typo, not a run
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(ns)));
}

std::optional<parsed_url> parse_url(std::string_view text) {
  constexpr std::string_view scheme = "http://";
  if (text.substr(0, scheme.size()) != scheme) return std::nullopt;
  text.remove_prefix(scheme.size());
  const auto slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  parsed_url out;
  if (slash != std::string_view::npos) out.path = std::string(text.substr(slash));
  std::string_view port;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
      has_port = true;
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      has_port = true;
    }
  }
  if (out.host.empty()) return std::nullopt;
  if (!has_port) {
    out.port = "80";
  } else {
    unsigned n = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc{} || end != port.data() + port.size() || n == 0 || n > 65535)
      return std::nullopt;
    out.port = std::string(port);
  }
  return out;
}

} // namespace taskmesh::loadgen
