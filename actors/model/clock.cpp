// File: actors/model/clock.cpp
#include "actors/model/clock.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace taskmesh {

timestamp now_us() noexcept {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string to_rfc3339(timestamp t) {
  const std::time_t seconds = static_cast<std::time_t>(t / 1'000'000);
  const int millis = static_cast<int>((t % 1'000'000) / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  return buf;
}

} // namespace taskmesh
