// File: transport/nats/priority_fetcher.hpp
// Runs the lane policy of priority_fetch.hpp against the two pull consumers:
// the worker side asks it for "the next batch" and gets high tasks first
// without starving normal ones.
//
// fetch() BLOCKS: takes what both lanes already hold (high first, see
// priority_fetch.hpp; a lane with a backlog on the server gets up to
// pending_wait to bring it); when neither has anything, waits lane_wait on one
// lane, then the other, until something comes or `wait` has passed. A task
// on either lane therefore waits at most about lane_wait in an idle pod.
// One fetch at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "transport/nats/priority_fetch.hpp"
#include "transport/nats/pull_consumer.hpp"

namespace taskmesh::nats {

struct priority_fetcher_options {
  priority_policy policy;
  // One wait on one lane while both are empty: the most a message on the
  // other lane waits in the pod; an idle pod wakes 1000/lane_wait times a
  // second.
  std::chrono::milliseconds lane_wait{3};
  // How long a lane whose consumer reported more pending messages may take
  // to bring them (its pull request is on the way) before the round moves
  // on to the other lane. Returns as soon as they come; keeps high ahead of
  // normal while high has a backlog.
  std::chrono::milliseconds pending_wait{20};
};

class priority_fetcher {
public:
  // Both consumers must outlive the fetcher.
  priority_fetcher(pull_consumer& high, pull_consumer& normal, priority_fetcher_options opts = {});

  // BLOCKS up to `wait` (plus one lane_wait). At most `batch` deliveries,
  // high ones first within a round.
  result<std::vector<delivery>> fetch(int batch, std::chrono::milliseconds wait);

  std::uint64_t rounds() const noexcept { return round_; }

private:
  pull_consumer& consumer(lane l) noexcept { return l == lane::high ? high_ : normal_; }

  pull_consumer& high_;
  pull_consumer& normal_;
  priority_fetcher_options opts_;
  std::uint64_t round_ = 0;
};

} // namespace taskmesh::nats
