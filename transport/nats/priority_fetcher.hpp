// File: transport/nats/priority_fetcher.hpp
// Fetches from the two lanes' pull consumers (high, normal) as much as the
// caller asked of each: `fetch({high, normal}, wait)`. Which lane should
// get how much is the caller's policy (the dispatcher's 4:1, see
// actors/dispatcher.hpp); here only credit one lane cannot use right now
// goes to the other, so an empty lane costs no round trip.
//
// fetch() BLOCKS: takes what both lanes already hold (a lane whose consumer
// reported a backlog on the server gets up to pending_wait to bring it);
// when neither has anything, waits lane_wait on one lane, then the other,
// until something comes or `wait` has passed. A task on either lane
// therefore waits at most about lane_wait in an idle pod. Never returns
// more than high + normal deliveries, and never asks a consumer for more
// than what is still missing, so the pod holds no more than it was asked
// for (pull_consumer.hpp). One fetch at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "transport/nats/pull_consumer.hpp"

namespace taskmesh::nats {

// Deliveries wanted from each lane.
struct lane_quota {
  int high = 0;
  int normal = 0;
};

struct priority_fetcher_options {
  // One wait on one lane while both are empty: the most a message on the
  // other lane waits in the pod; an idle pod wakes 1000/lane_wait times a
  // second.
  std::chrono::milliseconds lane_wait{3};
  // How long a lane whose consumer reported more pending messages may take
  // to bring them (its pull request is on the way) before the fetch moves
  // on to the other lane. Returns as soon as they come.
  std::chrono::milliseconds pending_wait{20};
};

class priority_fetcher {
public:
  // Both consumers must outlive the fetcher.
  priority_fetcher(pull_consumer& high, pull_consumer& normal, priority_fetcher_options opts = {});

  // BLOCKS up to `wait` (plus one lane_wait). Each quota is clamped to
  // [0, max_batch]; high deliveries come first in the result.
  result<std::vector<delivery>> fetch(lane_quota quota, std::chrono::milliseconds wait);

  // Whether either lane has more to give: deliveries that already arrived,
  // or its server said more wait (pull_consumer::expects_more).
  bool expects_more() const noexcept { return high_.expects_more() || normal_.expects_more(); }

private:
  pull_consumer& high_;
  pull_consumer& normal_;
  priority_fetcher_options opts_;
  bool wait_on_high_ = true; // the lane the next idle wait listens on
};

} // namespace taskmesh::nats
