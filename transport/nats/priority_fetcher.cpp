// File: transport/nats/priority_fetcher.cpp
// Rounds of plan_round(): poll the planned lanes, remember which came back
// empty, stop at the first round that yields something.
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
  for (;;) {
    const auto now = clock::now();
    const auto idx = [](lane l) { return l == lane::high ? 0 : 1; };
    const round_plan plan = plan_round(round_++, opts_.policy, now < empty_until_[idx(lane::high)],
                                       now < empty_until_[idx(lane::normal)]);
    for (std::size_t i = 0; i < plan.count; ++i) {
      const lane l = plan.order[i];
      const int ask = remaining_ask(batch, static_cast<int>(out.size()));
      if (ask == 0)
        break;
      auto got = consumer(l).fetch(ask, opts_.poll_expiry);
      if (!got) {
        if (out.empty())
          return got.err();
        return out; // keep what we have; the error shows again next time
      }
      if (got->empty()) {
        empty_until_[idx(l)] = clock::now() + opts_.recheck_after;
        continue;
      }
      empty_until_[idx(l)] = {};
      for (auto& d : *got)
        out.push_back(std::move(d));
    }
    if (!out.empty() || clock::now() >= deadline)
      return out;
  }
}

} // namespace taskmesh::nats
