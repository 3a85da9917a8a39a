// File: transport/nats/priority_fetcher.hpp
// Runs the lane policy of priority_fetch.hpp against the two pull consumers:
// the worker side asks it for "the next batch" and gets high tasks first
// without starving normal ones.
//
// fetch() BLOCKS: rounds of short lane polls until a round yields at least
// one delivery or `wait` has passed. One fetch at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "transport/nats/priority_fetch.hpp"
#include "transport/nats/pull_consumer.hpp"

namespace taskmesh::nats {

struct priority_fetcher_options {
  priority_policy policy;
  std::chrono::milliseconds poll_expiry{min_fetch_expiry}; // the longest wait of one lane poll
  std::chrono::milliseconds recheck_after{50};             // skip a lane this long after it came back empty
};

class priority_fetcher {
public:
  // Both consumers must outlive the fetcher.
  priority_fetcher(pull_consumer& high, pull_consumer& normal, priority_fetcher_options opts = {});

  // BLOCKS up to `wait` plus one round (at most 2 polls). At most `batch`
  // deliveries, high ones first within a round.
  result<std::vector<delivery>> fetch(int batch, std::chrono::milliseconds wait);

  std::uint64_t rounds() const noexcept { return round_; }

private:
  pull_consumer& consumer(lane l) noexcept { return l == lane::high ? high_ : normal_; }

  pull_consumer& high_;
  pull_consumer& normal_;
  priority_fetcher_options opts_;
  std::uint64_t round_ = 0;
  std::chrono::steady_clock::time_point empty_until_[2]{};
};

} // namespace taskmesh::nats
