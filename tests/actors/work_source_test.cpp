// File: tests/actors/work_source_test.cpp
// The dispatcher as a cluster worker pod runs it: no intake, tasks from a
// work source it asks on credit (the JetStream feeder in production; here a
// probe source that keeps each request open until the test answers it).
// It asks only while workers are idle, its lanes are empty and in-flight
// slots are free, one ask at a time and never for more than that room; it
// never hands out past max_in_flight even when an answer brings more (an
// envelope); its lane policy orders fetched tasks and splits its credit
// 4:1 so a source's normal lane is asked for even under high load; and a
// draining process asks for nothing new but still hands out what it holds.
#include <gtest/gtest.h>

#include "actors/dispatcher.hpp"
#include "tests/actors/test_system.hpp"

namespace taskmesh::actors_test {
namespace {

struct feed_request {
  std::uint32_t high = 0;
  std::uint32_t normal = 0;
  caf::typed_response_promise<std::vector<task>> promise;
};

struct source_log {
  std::vector<feed_request> asks;
};

// A work source whose open request the test answers (run: with these tasks;
// cancel: with an error). A promise is delivered from within its actor.
using probe_source_actor = work_source_actor::extend<caf::reacts_to<run_atom, std::vector<task>>,
                                                     caf::reacts_to<cancel_atom>>;

probe_source_actor::behavior_type probe_source(probe_source_actor::pointer self, source_log* log) {
  return {
    [=](feed_atom, std::uint32_t high, std::uint32_t normal) -> caf::result<std::vector<task>> {
      auto promise = self->make_response_promise<std::vector<task>>();
      log->asks.push_back({high, normal, promise});
      return promise;
    },
    [=](run_atom, std::vector<task>& tasks) { log->asks.back().promise.deliver(std::move(tasks)); },
    [=](cancel_atom) {
      log->asks.back().promise.deliver(caf::make_error(caf::sec::request_receiver_down));
    },
  };
}

class WorkSource : public actor_test {
protected:
  dispatcher_actor start(std::uint32_t max_in_flight, std::uint32_t batch_size) {
    source = spawn(probe_source, &asks);
    // No intake queue: fetched tasks never were in it.
    return spawn(dispatcher, dispatcher_config{max_in_flight, batch_size}, nullptr, &gauges,
                 source);
  }

  // The source answers its latest request.
  void answer(std::vector<task> tasks) {
    ASSERT_FALSE(asks.asks.empty());
    caf::anon_send(source, run_atom::value, std::move(tasks));
    run();
  }

  // A dispatcher whose one worker (`log`) asked for work: one ask is out.
  dispatcher_actor start_with_idle_worker(std::uint32_t max_in_flight, std::uint32_t batch_size) {
    auto d = start(max_in_flight, batch_size);
    worker = spawn(probe_worker, &log);
    ask_for_work(d, worker);
    EXPECT_EQ(asks.asks.size(), 1u);
    return d;
  }

  static std::uint32_t credit(const feed_request& r) { return r.high + r.normal; }

  source_log asks;
  probe_source_actor source;
  worker_log log;
  worker_actor worker;
};

TEST_F(WorkSource, AsksOnlyWhenAWorkerIsIdleAndOneAskAtATime) {
  auto d = start(100, 4);
  EXPECT_TRUE(asks.asks.empty()); // no worker yet: no credit
  worker_log log_a, log_b;
  auto a = spawn(probe_worker, &log_a);
  auto b = spawn(probe_worker, &log_b);
  ask_for_work(d, a);
  ASSERT_EQ(asks.asks.size(), 1u);
  EXPECT_EQ(credit(asks.asks[0]), 4u); // one idle worker: one batch
  ask_for_work(d, b);
  EXPECT_EQ(asks.asks.size(), 1u); // the first ask is still open

  answer(tasks(3));
  // 3 tasks over two idle workers (fair share), none left idle: no new ask.
  EXPECT_EQ(handed_out(log_a) + handed_out(log_b), 3u);
  EXPECT_EQ(log_a.batches.size(), 1u);
  EXPECT_EQ(log_b.batches.size(), 1u);
  EXPECT_EQ(gauges.in_flight.load(), 3);
  EXPECT_EQ(asks.asks.size(), 1u);

  // One worker finishes and asks again: room 99, one idle worker -> 4.
  ask_for_work(d, b, static_cast<std::uint32_t>(handed_out(log_b)));
  ASSERT_EQ(asks.asks.size(), 2u);
  EXPECT_EQ(credit(asks.asks[1]), 4u);
  // A worker that finished without wanting work adds no credit.
  ask_for_work(d, a, static_cast<std::uint32_t>(handed_out(log_a)), false);
  EXPECT_EQ(asks.asks.size(), 2u);
  EXPECT_EQ(gauges.in_flight.load(), 0);
}

TEST_F(WorkSource, NeverAsksOrHandsOutPastMaxInFlight) {
  auto d = start(3, 8);
  worker_log log_a, log_b;
  auto a = spawn(probe_worker, &log_a);
  auto b = spawn(probe_worker, &log_b);
  ask_for_work(d, a);
  ASSERT_EQ(asks.asks.size(), 1u);
  EXPECT_EQ(credit(asks.asks[0]), 3u); // the in-flight room, not a batch
  ask_for_work(d, b);
  // An envelope brought more than asked: the room still bounds hand-out.
  answer(tasks(5));
  EXPECT_EQ(handed_out(log_a) + handed_out(log_b), 3u);
  EXPECT_EQ(gauges.in_flight.load(), 3);
  EXPECT_EQ(asks.asks.size(), 1u); // no room, and the lanes hold 2
  ask_for_work(d, a); // asking again without finishing frees nothing
  EXPECT_EQ(handed_out(log_a) + handed_out(log_b), 3u);
  EXPECT_EQ(asks.asks.size(), 1u);

  // One finishes: one slot, served from the lanes, still no ask.
  ask_for_work(d, b, 1);
  EXPECT_EQ(handed_out(log_a) + handed_out(log_b), 4u);
  EXPECT_EQ(gauges.in_flight.load(), 3);
  EXPECT_EQ(asks.asks.size(), 1u);
  ask_for_work(d, b, 1);
  EXPECT_EQ(handed_out(log_a) + handed_out(log_b), 5u);
  EXPECT_EQ(asks.asks.size(), 1u); // lanes empty now, but no room
  // Room for two: the next ask is for exactly that.
  ask_for_work(d, b, 2);
  ASSERT_EQ(asks.asks.size(), 2u);
  EXPECT_EQ(credit(asks.asks[1]), 2u);
  answer(tasks(2));
  EXPECT_EQ(gauges.in_flight.load(), 3);
}

TEST_F(WorkSource, LanePolicyOrdersFetchedTasks) {
  start_with_idle_worker(100, 5);
  // The answer lists normal tasks first (as fetched); high goes out first.
  auto fetched = tasks(8);
  for (auto& t : tasks(4, priority::high))
    fetched.push_back(std::move(t));
  answer(std::move(fetched));
  ASSERT_EQ(log.batches.size(), 1u);
  ASSERT_EQ(log.batches[0].size(), 5u);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(log.batches[0][i].prio, priority::high) << i;
  EXPECT_EQ(log.batches[0][4].prio, priority::normal);
}

TEST_F(WorkSource, NormalIsNotStarvedWhenFetchedTasksSaturate) {
  auto d = start_with_idle_worker(1, 8);
  auto fetched = tasks(10, priority::high);
  for (auto& t : tasks(10))
    fetched.push_back(std::move(t));
  answer(std::move(fetched));
  for (int i = 0; i < 9; ++i)
    ask_for_work(d, worker, 1);
  ASSERT_EQ(handed_out(log), 10u);
  std::size_t normal = 0;
  for (const auto& b : log.batches)
    normal += b.front().prio == priority::normal ? 1 : 0;
  EXPECT_GE(normal, 2u); // at least a fifth
}

// One slot at a time, the source is asked for high four times, then for
// normal: a source whose normal lane waits behind a high backlog still gets
// asked for it (the 4:1 split of the credit).
TEST_F(WorkSource, CreditIsSplitFourToOneBetweenTheLanes) {
  auto d = start_with_idle_worker(1, 8);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> seen;
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(asks.asks.size(), static_cast<std::size_t>(i + 1));
    seen.emplace_back(asks.asks.back().high, asks.asks.back().normal);
    const bool normal_asked = asks.asks.back().normal > 0;
    answer(tasks(1, normal_asked ? priority::normal : priority::high));
    ask_for_work(d, worker, 1);
  }
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> expected{
    {1, 0}, {1, 0}, {1, 0}, {1, 0}, {0, 1}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {0, 1}};
  EXPECT_EQ(seen, expected);

  std::uint32_t streak = 0;
  const auto big = split_credit(100, streak);
  EXPECT_EQ(big.high, 80u);
  EXPECT_EQ(big.normal, 20u);
}

TEST_F(WorkSource, DrainingAsksForNothingNewButHandsOutWhatItHolds) {
  auto d = start_with_idle_worker(2, 8);
  answer(tasks(4)); // 2 out, 2 held
  EXPECT_EQ(handed_out(log), 2u);
  gauges.draining = true;
  ask_for_work(d, worker, 2);
  EXPECT_EQ(handed_out(log), 4u);
  EXPECT_EQ(gauges.in_flight.load(), 2); // the drain waits for these
  ask_for_work(d, worker, 2);
  EXPECT_EQ(gauges.in_flight.load(), 0);
  EXPECT_EQ(asks.asks.size(), 1u);
}

// The source went away (shutdown): the dispatcher stops asking.
TEST_F(WorkSource, AGoneSourceIsNotAskedAgain) {
  auto d = start_with_idle_worker(10, 8);
  caf::anon_send(source, cancel_atom::value);
  run();
  ask_for_work(d, worker);
  EXPECT_EQ(asks.asks.size(), 1u);
  EXPECT_TRUE(log.batches.empty());
}

} // namespace
} // namespace taskmesh::actors_test
