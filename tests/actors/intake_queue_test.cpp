// File: tests/actors/intake_queue_test.cpp
// The lock-free seam on its own: the backlog gate, the wake-up protocol
// (one wake per idle -> non-empty transition), drain and release.
#include <gtest/gtest.h>

#include "tests/actors/test_system.hpp"

namespace taskmesh::actors_test {
namespace {

class IntakeQueue : public ::testing::Test {
protected:
  IntakeQueue() { queue.on_wake([this] { ++wakes; }); }

  submission make(std::size_t tasks) {
    submission s;
    s.tasks.resize(tasks);
    s.waiter = std::make_unique<recording_waiter>(&results);
    return s;
  }

  recorded_results results;
  intake_queue queue{5, 1};
  int wakes = 0;
};

TEST_F(IntakeQueue, PushCountsTasksInTheBacklog) {
  auto a = make(2);
  auto b = make(3);
  EXPECT_TRUE(queue.try_push(a));
  EXPECT_EQ(queue.backlog(), 2);
  EXPECT_TRUE(queue.try_push(b));
  EXPECT_EQ(queue.backlog(), 5);
  EXPECT_EQ(queue.capacity(), 5);
}

TEST_F(IntakeQueue, RefusesAboveCapacityAndLeavesTheSubmissionIntact) {
  auto a = make(4);
  ASSERT_TRUE(queue.try_push(a));
  auto b = make(2);
  EXPECT_FALSE(queue.try_push(b));
  EXPECT_EQ(b.tasks.size(), 2u);
  EXPECT_NE(b.waiter, nullptr);
  EXPECT_EQ(queue.backlog(), 4); // the refused push left no trace
  auto c = make(1);
  EXPECT_TRUE(queue.try_push(c)); // exactly at capacity is fine
  EXPECT_EQ(queue.backlog(), 5);
  auto d = make(1);
  EXPECT_FALSE(queue.try_push(d));
  // Space comes back only when tasks leave the backlog.
  queue.release(2);
  EXPECT_TRUE(queue.try_push(d));
  EXPECT_EQ(queue.backlog(), 4);
}

TEST_F(IntakeQueue, WakesOncePerIdleToNonEmptyTransition) {
  auto a = make(1);
  auto b = make(1);
  auto c = make(1);
  ASSERT_TRUE(queue.try_push(a));
  EXPECT_EQ(wakes, 1);
  ASSERT_TRUE(queue.try_push(b));
  ASSERT_TRUE(queue.try_push(c));
  EXPECT_EQ(wakes, 1); // not one per task

  std::vector<submission> out;
  EXPECT_EQ(queue.drain(out, 10), 3u);
  EXPECT_FALSE(queue.finish_drain()); // empty: the consumer goes idle
  EXPECT_EQ(wakes, 1);

  auto d = make(1);
  ASSERT_TRUE(queue.try_push(d));
  EXPECT_EQ(wakes, 2); // idle -> non-empty again
}

TEST_F(IntakeQueue, ItemsArrivingBeforeFinishDrainAskForAnotherRound) {
  auto a = make(1);
  ASSERT_TRUE(queue.try_push(a));
  std::vector<submission> out;
  ASSERT_EQ(queue.drain(out, 10), 1u);
  auto b = make(1);
  ASSERT_TRUE(queue.try_push(b)); // consumer still "woken": no second wake
  EXPECT_EQ(wakes, 1);
  EXPECT_TRUE(queue.finish_drain()); // so the consumer must drain again itself
  auto c = make(1);
  ASSERT_TRUE(queue.try_push(c));
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(queue.drain(out, 10), 2u);
  EXPECT_FALSE(queue.finish_drain());
}

TEST_F(IntakeQueue, DrainTakesAtMostMaxInPushOrder) {
  for (std::size_t i = 1; i <= 3; ++i) {
    auto s = make(1);
    s.tasks[0].payload = std::to_string(i);
    ASSERT_TRUE(queue.try_push(s));
  }
  std::vector<submission> out;
  EXPECT_EQ(queue.drain(out, 2), 2u);
  EXPECT_EQ(queue.drain(out, 2), 1u);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].tasks[0].payload, "1");
  EXPECT_EQ(out[1].tasks[0].payload, "2");
  EXPECT_EQ(out[2].tasks[0].payload, "3");
  EXPECT_EQ(queue.drain(out, 2), 0u);
  EXPECT_EQ(out.size(), 3u);
  // Draining does not shrink the backlog: handing out to workers does.
  EXPECT_EQ(queue.backlog(), 3);
}

} // namespace
} // namespace taskmesh::actors_test
