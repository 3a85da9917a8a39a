// File: tests/actors/dispatcher_test.cpp
// The dispatcher against probe workers: batches go only to workers that
// asked, never more than max_in_flight tasks are out until done messages
// come back, the intake queue's backlog shrinks as tasks are handed out, and
// the in_flight gauge follows.
#include <gtest/gtest.h>

#include "actors/dispatcher.hpp"
#include "tests/actors/test_system.hpp"

namespace taskmesh::actors_test {
namespace {

class Dispatcher : public actor_test {
protected:
  dispatcher_actor start(std::uint32_t max_in_flight, std::uint32_t batch_size = 128) {
    return spawn(dispatcher, dispatcher_config{max_in_flight, batch_size}, &queue, &gauges,
                 work_source_actor{});
  }

  // Pushes tasks through the intake queue (as HTTP does), takes them out
  // again (as intake does) and dispatches them.
  void accept(const dispatcher_actor& d, std::vector<task> work) {
    ASSERT_TRUE(push(std::move(work), &results));
    std::vector<submission> subs;
    queue.drain(subs, 100);
    queue.finish_drain();
    std::vector<task> accepted;
    for (auto& s : subs)
      for (auto& t : s.tasks)
        accepted.push_back(std::move(t));
    caf::anon_send(d, dispatch_atom::value, std::move(accepted));
    run();
  }

  recorded_results results;
};

TEST_F(Dispatcher, HandsOutOnlyToWorkersThatAsked) {
  auto d = start(100);
  worker_log asked_log, silent_log;
  auto asked = spawn(probe_worker, &asked_log);
  auto silent = spawn(probe_worker, &silent_log);
  ask_for_work(d, asked);
  accept(d, tasks(5));
  ASSERT_EQ(asked_log.batches.size(), 1u);
  EXPECT_EQ(asked_log.batches[0].size(), 5u);
  EXPECT_TRUE(silent_log.batches.empty());
  // One batch per request: more work waits for the next done(wants_work).
  accept(d, tasks(3));
  EXPECT_EQ(asked_log.batches.size(), 1u);
  ask_for_work(d, asked, 5);
  ASSERT_EQ(asked_log.batches.size(), 2u);
  EXPECT_EQ(asked_log.batches[1].size(), 3u);
  EXPECT_TRUE(silent_log.batches.empty());
}

TEST_F(Dispatcher, NoWorkerNoHandOut) {
  auto d = start(100);
  accept(d, tasks(4));
  EXPECT_EQ(queue.backlog(), 4); // still waiting in the dispatcher
  EXPECT_EQ(gauges.in_flight.load(), 0);
  worker_log log;
  auto w = spawn(probe_worker, &log);
  ask_for_work(d, w);
  EXPECT_EQ(handed_out(log), 4u);
  EXPECT_EQ(queue.backlog(), 0);
  EXPECT_EQ(gauges.in_flight.load(), 4);
}

TEST_F(Dispatcher, RespectsMaxInFlight) {
  auto d = start(3);
  worker_log log1, log2;
  auto w1 = spawn(probe_worker, &log1);
  auto w2 = spawn(probe_worker, &log2);
  auto total = [&] { return handed_out(log1) + handed_out(log2); };
  ask_for_work(d, w1);
  ask_for_work(d, w2);
  accept(d, tasks(10));
  // The last worker to ask gets the first batch, cut to the in-flight room.
  ASSERT_EQ(log2.batches.size(), 1u);
  EXPECT_EQ(handed_out(log2), 3u);
  EXPECT_TRUE(log1.batches.empty());
  EXPECT_EQ(gauges.in_flight.load(), 3);
  EXPECT_EQ(queue.backlog(), 7);

  // w2 asks for more (as a worker does right after starting a batch) without
  // having finished anything: no room, nothing goes out.
  ask_for_work(d, w2);
  EXPECT_EQ(total(), 3u);

  // Two of w2's tasks finish: room for exactly two more.
  ask_for_work(d, w2, 2, false);
  EXPECT_EQ(total(), 5u);
  EXPECT_EQ(gauges.in_flight.load(), 3);
  EXPECT_EQ(queue.backlog(), 5);

  // From here on one task finishes at a time; each frees room for one.
  // (w1 asked once at the start and has not been served yet.)
  std::int64_t max_seen = 0;
  for (int round = 0; round < 10 && total() < 10; ++round) {
    const auto before = total();
    ask_for_work(d, round < 3 ? w2 : w1, 1, false); // w2 had 3 left, then w1's
    max_seen = std::max(max_seen, gauges.in_flight.load());
    EXPECT_EQ(total(), before + 1);
    ASSERT_EQ(log1.batches.size(), static_cast<std::size_t>(round + 1));
    EXPECT_EQ(log1.batches.back().size(), 1u);
    ask_for_work(d, w1); // w1 started its batch and asks again
    max_seen = std::max(max_seen, gauges.in_flight.load());
  }
  EXPECT_EQ(max_seen, 3);
  EXPECT_EQ(total(), 10u);
  EXPECT_EQ(queue.backlog(), 0);
  EXPECT_EQ(gauges.in_flight.load(), 3);
}

TEST_F(Dispatcher, InFlightGaugeFollowsDoneMessages) {
  auto d = start(100);
  worker_log log;
  auto w = spawn(probe_worker, &log);
  ask_for_work(d, w);
  accept(d, tasks(6));
  EXPECT_EQ(gauges.in_flight.load(), 6);
  ask_for_work(d, w, 4, false);
  EXPECT_EQ(gauges.in_flight.load(), 2);
  ask_for_work(d, w, 2, true);
  EXPECT_EQ(gauges.in_flight.load(), 0);
}

TEST_F(Dispatcher, BatchSizeAndFairShareSpreadWork) {
  auto d = start(1000, 4);
  worker_log logs[3];
  std::vector<worker_actor> ws;
  for (auto& l : logs) {
    ws.push_back(spawn(probe_worker, &l));
    ask_for_work(d, ws.back());
  }
  accept(d, tasks(6));
  // 6 tasks over 3 idle workers: 2 each, rather than 4 + 2 + 0.
  for (auto& l : logs) {
    ASSERT_EQ(l.batches.size(), 1u);
    EXPECT_EQ(l.batches[0].size(), 2u);
  }
  // The batch size caps a single hand-out.
  ask_for_work(d, ws[0], 2);
  accept(d, tasks(10));
  ASSERT_EQ(logs[0].batches.size(), 2u);
  EXPECT_EQ(logs[0].batches[1].size(), 4u);
  EXPECT_EQ(queue.backlog(), 6);
}

TEST_F(Dispatcher, HighPriorityLaneFirst) {
  auto d = start(100, 5);
  auto work = tasks(8);
  for (auto& t : tasks(4, priority::high))
    work.push_back(std::move(t));
  accept(d, std::move(work));
  worker_log log;
  auto w = spawn(probe_worker, &log);
  ask_for_work(d, w);
  ASSERT_EQ(log.batches.size(), 1u);
  const auto& batch = log.batches[0];
  ASSERT_EQ(batch.size(), 5u);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(batch[i].prio, priority::high) << i;
  EXPECT_EQ(batch[4].prio, priority::normal);
}

TEST_F(Dispatcher, NormalLaneIsNotStarvedWhenSaturated) {
  auto d = start(1);
  worker_log log;
  auto w = spawn(probe_worker, &log);
  auto work = tasks(10, priority::high);
  for (auto& t : tasks(10))
    work.push_back(std::move(t));
  accept(d, std::move(work));
  ask_for_work(d, w);
  for (int i = 0; i < 9; ++i)
    ask_for_work(d, w, 1, true);
  ASSERT_EQ(handed_out(log), 10u);
  std::size_t normal = 0;
  for (const auto& b : log.batches)
    for (const auto& t : b)
      normal += t.prio == priority::normal ? 1 : 0;
  EXPECT_GE(normal, 2u); // at least a fifth of what went out
}

// Regression: take_batch() once reserved max(1, n/5) slots per batch for the
// normal lane, so with one free slot (n == 1) normal always won and a
// saturated dispatcher inverted priorities.
TEST_F(Dispatcher, HighPriorityFirstEvenWhenOneSlotIsFree) {
  auto d = start(1);
  worker_log log;
  auto w = spawn(probe_worker, &log);
  auto work = tasks(2);
  work.push_back(make_task("echo", "\"urgent\"", "", priority::high));
  accept(d, std::move(work));
  ask_for_work(d, w);
  ASSERT_EQ(log.batches.size(), 1u);
  ASSERT_EQ(log.batches[0].size(), 1u);
  EXPECT_EQ(log.batches[0][0].prio, priority::high)
    << "with one free slot the dispatcher handed out a normal task before the high one";
}

} // namespace
} // namespace taskmesh::actors_test
