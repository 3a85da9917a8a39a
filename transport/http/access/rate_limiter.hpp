// File: transport/http/access/rate_limiter.hpp
// --rate-limit / --rate-burst: one token bucket per key (a tenant, or a
// client IP when authentication is off). A bucket holds up to `burst`
// tokens and refills at `rate` per second; a new key starts full.
//
// A request of cost c passes when the bucket holds min(c, burst) tokens and
// then takes c, so a batch larger than the burst passes from a full bucket
// and leaves it in debt: over time no key gets more than `rate` per second.
// A refusal says how many whole seconds until it would pass (Retry-After).
//
// Memory is bounded: at most `max_buckets` keys are tracked; past that the
// least recently used bucket is dropped (an idle bucket is full, so dropping
// it changes nothing; a hostile client cycling through addresses only
// recycles the least active buckets). Thread-safe: the table is split into
// shards, each behind its own mutex, held for a few instructions.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>

#include <boost/unordered/unordered_flat_map.hpp>

namespace taskmesh::http {

inline constexpr std::size_t default_max_buckets = 65'536;

class rate_limiter {
public:
  using clock = std::chrono::steady_clock;

  struct verdict {
    bool allowed = true;
    std::uint32_t retry_after_s = 0; // when refused: >= 1
  };

  rate_limiter(double rate, double burst, std::size_t max_buckets = default_max_buckets);

  verdict take(std::string_view key, double cost, clock::time_point now = clock::now());

  std::size_t buckets() const;
  double rate() const noexcept { return rate_; }
  double burst() const noexcept { return burst_; }

private:
  struct bucket {
    std::string key;
    double tokens = 0;
    clock::time_point refilled;
  };
  struct shard {
    mutable std::mutex m;
    std::list<bucket> lru; // most recently used first
    boost::unordered_flat_map<std::string_view, std::list<bucket>::iterator> index;
  };
  static constexpr std::size_t shard_count = 16;

  double rate_;
  double burst_;
  std::size_t per_shard_;
  std::array<shard, shard_count> shards_;
};

} // namespace taskmesh::http
