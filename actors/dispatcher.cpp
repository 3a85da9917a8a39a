// File: actors/dispatcher.cpp
#include "actors/dispatcher.hpp"

#include <algorithm>

namespace taskmesh {
namespace {

using self_ptr = dispatcher_actor::stateful_pointer<dispatcher_state>;

void move_front(std::deque<task>& lane, std::vector<task>& out) {
  out.push_back(std::move(lane.front()));
  lane.pop_front();
}

void pump(self_ptr self);

// Asks the work source for what the idle workers can take, when the lanes
// cannot feed them and in-flight slots are free. The answer goes into the
// lanes like a dispatch.
void ask_source(self_ptr self) {
  auto& st = self->state;
  if (!st.source || st.asking || st.idle_workers.empty() || !st.high.empty() || !st.normal.empty())
    return;
  if (st.gauges->draining.load(std::memory_order_relaxed))
    return; // settle what is out, take nothing new
  const auto room = static_cast<std::int64_t>(st.config.max_in_flight) - st.in_flight;
  if (room <= 0)
    return;
  const auto wanted = std::min<std::int64_t>(
    room, static_cast<std::int64_t>(st.idle_workers.size()) *
            std::max<std::uint32_t>(st.config.batch_size, 1));
  const auto credit = split_credit(static_cast<std::uint32_t>(wanted), st.credit_streak);
  st.asking = true;
  self->request(st.source, caf::infinite, feed_atom::value, credit.high, credit.normal)
    .then(
      [self](std::vector<task>& tasks) {
        auto& st = self->state;
        st.asking = false;
        for (auto& t : tasks)
          (t.prio == priority::high ? st.high : st.normal).push_back(std::move(t));
        pump(self);
      },
      [self](caf::error&) {
        // The source is gone (shutdown): nothing more will come from it.
        self->state.asking = false;
        self->state.source = nullptr;
      });
}

// Hands batches to idle workers while there is work and in-flight room,
// then asks the work source (if any) for more.
void pump(self_ptr self) {
  auto& st = self->state;
  while (!st.idle_workers.empty()) {
    const auto queued = st.high.size() + st.normal.size();
    const auto room = static_cast<std::int64_t>(st.config.max_in_flight) - st.in_flight;
    if (queued == 0 || room <= 0)
      break;
    // Spread what is queued over the idle workers rather than giving one
    // worker everything while the others sit idle.
    const auto fair_share = (queued + st.idle_workers.size() - 1) / st.idle_workers.size();
    const auto n = std::min<std::size_t>({fair_share, std::max<std::uint32_t>(st.config.batch_size, 1),
                                          static_cast<std::size_t>(room)});
    std::vector<task> batch;
    batch.reserve(n);
    take_batch(st.high, st.normal, n, batch, st.high_streak);
    st.in_flight += static_cast<std::int64_t>(batch.size());
    if (st.queue)
      st.queue->release(batch.size());
    auto worker = std::move(st.idle_workers.back());
    st.idle_workers.pop_back();
    self->send(worker, run_atom::value, std::move(batch));
  }
  // Once per message: a drain reading in_flight never sees the moment
  // between a worker's done and the next batch it gets.
  st.gauges->in_flight.store(st.in_flight, std::memory_order_relaxed);
  st.gauges->high_lane.store(static_cast<std::int64_t>(st.high.size()), std::memory_order_relaxed);
  ask_source(self);
}

} // namespace

void take_batch(std::deque<task>& high, std::deque<task>& normal, std::size_t n,
                std::vector<task>& out, std::uint32_t& high_streak) {
  for (std::size_t i = 0; i < n; ++i) {
    const bool normal_due = !normal.empty() && high_streak >= high_per_normal;
    if (!high.empty() && !normal_due) {
      move_front(high, out);
      high_streak = normal.empty() ? 0 : high_streak + 1;
    } else if (!normal.empty()) {
      move_front(normal, out);
      high_streak = 0;
    } else {
      break;
    }
  }
}

lane_credit split_credit(std::uint32_t n, std::uint32_t& streak) {
  lane_credit c;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (streak >= high_per_normal) {
      ++c.normal;
      streak = 0;
    } else {
      ++c.high;
      ++streak;
    }
  }
  return c;
}

dispatcher_actor::behavior_type dispatcher(self_ptr self, dispatcher_config config,
                                           intake_queue* queue, pipeline_gauges* gauges,
                                           work_source_actor source) {
  self->state.config = config;
  self->state.queue = queue;
  self->state.gauges = gauges;
  self->state.source = std::move(source);
  return {
    [=](dispatch_atom, std::vector<task>& tasks) {
      for (auto& t : tasks)
        (t.prio == priority::high ? self->state.high : self->state.normal).push_back(std::move(t));
      pump(self);
    },
    [=](done_atom, worker_actor& worker, std::uint32_t finished, bool wants_work) {
      self->state.in_flight -= finished;
      if (wants_work)
        self->state.idle_workers.push_back(std::move(worker));
      pump(self);
    },
  };
}

} // namespace taskmesh
