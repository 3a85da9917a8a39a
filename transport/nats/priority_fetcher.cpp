// File: transport/nats/priority_fetcher.cpp
// Rounds: each lane up to its quota without waiting (the other lane's
// unused quota added), stop at the first round that yields something;
// between rounds, a short wait on one lane, alternating.
#include "transport/nats/priority_fetcher.hpp"

#include <algorithm>

namespace taskmesh::nats {

using clock = std::chrono::steady_clock;

priority_fetcher::priority_fetcher(pull_consumer& high, pull_consumer& normal,
                                   priority_fetcher_options opts)
  : high_(high), normal_(normal), opts_(opts) {}

result<std::vector<delivery>> priority_fetcher::fetch(lane_quota quota,
                                                      std::chrono::milliseconds wait) {
  quota.high = std::clamp(quota.high, 0, high_.max_batch());
  quota.normal = std::clamp(quota.normal, 0, normal_.max_batch());
  const int total = quota.high + quota.normal;
  std::vector<delivery> out;
  if (total == 0)
    return out;
  const auto deadline = clock::now() + wait;
  // Takes up to `max` (never more than the fetch still lacks) from `c`,
  // waiting up to `w`; how many came.
  auto take = [&](pull_consumer& c, int max, std::chrono::milliseconds w) -> result<int> {
    max = std::min(max, total - static_cast<int>(out.size()));
    if (max <= 0)
      return 0;
    auto got = c.fetch(max, w);
    if (!got)
      return got.err();
    for (auto& d : *got)
      out.push_back(std::move(d));
    return static_cast<int>(got->size());
  };
  // One lane's part of a round: what it holds now, or what its server-side
  // backlog brings within pending_wait.
  auto take_lane = [&](pull_consumer& c, int max) -> result<int> {
    auto got = take(c, max, std::chrono::milliseconds(0));
    if (got && *got == 0 && c.expects_more())
      got = take(c, max, opts_.pending_wait);
    return got;
  };
  // With deliveries in hand, keep them; the error shows again next time.
  auto failed = [&](const result<int>& r) { return !r && out.empty(); };
  for (;;) {
    auto high = take_lane(high_, quota.high);
    if (failed(high))
      return high.err();
    const int got_high = high ? *high : 0;
    auto normal = take_lane(normal_, quota.normal + (quota.high - got_high));
    if (failed(normal))
      return normal.err();
    // Normal left some of its quota unused: high may have more.
    if (got_high == quota.high && quota.high > 0)
      if (auto more = take_lane(high_, total); failed(more))
        return more.err();
    if (!out.empty() || clock::now() >= deadline)
      return out;
    // Both lanes empty: wait a little on one lane; the next round takes
    // what either lane got meanwhile.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
    auto& waited = wait_on_high_ ? high_ : normal_;
    wait_on_high_ = !wait_on_high_;
    if (auto got = take(waited, total, std::min(opts_.lane_wait, left)); failed(got))
      return got.err();
  }
}

} // namespace taskmesh::nats
