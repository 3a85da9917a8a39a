// File: transport/nats/priority_fetcher.cpp
// Rounds of plan_round(): take from the planned lanes without waiting,
// stop at the first round that yields something; between rounds, a short
// wait on the round's first lane.
#include "transport/nats/priority_fetcher.hpp"

#include <algorithm>

namespace taskmesh::nats {

using clock = std::chrono::steady_clock;

priority_fetcher::priority_fetcher(pull_consumer& high, pull_consumer& normal,
                                   priority_fetcher_options opts)
  : high_(high), normal_(normal), opts_(opts) {}

result<std::vector<delivery>> priority_fetcher::fetch(int batch, std::chrono::milliseconds wait) {
  batch = std::clamp(batch, 1, std::min(high_.max_batch(), normal_.max_batch()));
  const auto deadline = clock::now() + wait;
  std::vector<delivery> out;
  // Takes up to what the batch still lacks from `l`, waiting up to `w`.
  auto take = [&](lane l, std::chrono::milliseconds w) -> error {
    const int ask = remaining_ask(batch, static_cast<int>(out.size()));
    if (ask == 0)
      return {};
    auto got = consumer(l).fetch(ask, w);
    if (!got)
      return got.err();
    for (auto& d : *got)
      out.push_back(std::move(d));
    return {};
  };
  for (;;) {
    const round_plan plan = plan_round(round_++, opts_.policy);
    for (std::size_t i = 0; i < plan.count; ++i) {
      const lane l = plan.order[i];
      const auto before = out.size();
      if (auto e = take(l, std::chrono::milliseconds(0)); e && out.empty())
        return e; // with deliveries in hand, keep them; the error shows again next time
      if (out.size() == before && consumer(l).expects_more())
        if (auto e = take(l, opts_.pending_wait); e && out.empty())
          return e;
    }
    if (!out.empty() || clock::now() >= deadline)
      return out;
    // Both lanes empty: wait a little on this round's first lane; the next
    // round takes what either lane got meanwhile.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
    if (auto e = take(plan.order[0], std::min(opts_.lane_wait, left)); e && out.empty())
      return e;
  }
}

} // namespace taskmesh::nats
