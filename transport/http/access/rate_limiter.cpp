// File: transport/http/access/rate_limiter.cpp
#include "transport/http/access/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace taskmesh::http {

rate_limiter::rate_limiter(double rate, double burst, std::size_t max_buckets)
  : rate_(rate), burst_(burst),
    per_shard_(std::max<std::size_t>(1, max_buckets / shard_count)) {
  if (!(rate > 0) || !(burst >= 1))
    throw std::invalid_argument("rate_limiter: rate must be > 0 and burst >= 1");
}

rate_limiter::verdict rate_limiter::take(std::string_view key, double cost,
                                         clock::time_point now) {
  auto& s = shards_[std::hash<std::string_view>{}(key) % shard_count];
  std::lock_guard lock{s.m};
  auto found = s.index.find(key);
  if (found == s.index.end()) {
    if (s.lru.size() >= per_shard_) {
      s.index.erase(s.lru.back().key);
      s.lru.pop_back();
    }
    s.lru.push_front(bucket{std::string{key}, burst_, now});
    found = s.index.emplace(s.lru.front().key, s.lru.begin()).first;
  } else if (found->second != s.lru.begin()) {
    s.lru.splice(s.lru.begin(), s.lru, found->second);
  }
  bucket& b = *found->second;
  const double elapsed = std::chrono::duration<double>(now - b.refilled).count();
  if (elapsed > 0) {
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.refilled = now;
  }
  const double needed = std::min(cost, burst_);
  if (b.tokens >= needed) {
    b.tokens -= cost;
    return {};
  }
  const double wait_s = (needed - b.tokens) / rate_;
  return {false, static_cast<std::uint32_t>(std::clamp(std::ceil(wait_s), 1.0, 86'400.0))};
}

std::size_t rate_limiter::buckets() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock{s.m};
    n += s.lru.size();
  }
  return n;
}

} // namespace taskmesh::http
