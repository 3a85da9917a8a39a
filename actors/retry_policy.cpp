// File: actors/retry_policy.cpp
#include "actors/pipeline.hpp"

#include <algorithm>

namespace taskmesh {

milliseconds retry_policy::delay_for(std::uint32_t failed_attempts, std::uint64_t random) const {
  const auto exponent = std::min<std::uint32_t>(failed_attempts > 0 ? failed_attempts - 1 : 0, 30);
  const auto step = std::min<std::int64_t>(base_delay.count() << exponent, max_delay.count());
  const auto half = step / 2;
  const auto jitter = half > 0 ? static_cast<std::int64_t>(random % static_cast<std::uint64_t>(half + 1)) : 0;
  return milliseconds{step - half + jitter};
}

} // namespace taskmesh
