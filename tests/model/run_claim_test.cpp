// File: tests/model/run_claim_test.cpp
// run_claim: a cancel and a worker's start exclude each other, and the
// holder's on_cancel callback runs exactly once when a cancel wins, however
// the two threads interleave. rare_string: the compact field type of task
// and task_record behaves like the std::string it replaced.
#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "actors/model/task.hpp"

namespace taskmesh {
namespace {

TEST(RunClaim, StartAndCancelExcludeEachOther) {
  run_claim started;
  EXPECT_TRUE(started.try_start());
  EXPECT_FALSE(started.try_cancel());
  EXPECT_FALSE(started.cancelled_already());

  run_claim cancelled;
  EXPECT_TRUE(cancelled.try_cancel());
  EXPECT_FALSE(cancelled.try_start());
  EXPECT_FALSE(cancelled.try_cancel()); // once
  EXPECT_TRUE(cancelled.cancelled_already());
}

TEST(RunClaim, ReleasedAfterAnAttemptIsCancellableAgain) {
  run_claim c;
  ASSERT_TRUE(c.try_start());
  c.release();
  EXPECT_TRUE(c.try_cancel());
}

TEST(RunClaim, CallbackRunsOnceWhenACancelWins) {
  run_claim c;
  int told = 0;
  c.on_cancel([&] { ++told; });
  EXPECT_EQ(told, 0);
  ASSERT_TRUE(c.try_cancel());
  EXPECT_EQ(told, 1);
  EXPECT_FALSE(c.try_cancel());
  EXPECT_EQ(told, 1);
}

TEST(RunClaim, CallbackSetAfterTheCancelRunsAtOnce) {
  run_claim c;
  ASSERT_TRUE(c.try_cancel());
  int told = 0;
  c.on_cancel([&] { ++told; });
  EXPECT_EQ(told, 1);
}

TEST(RunClaim, ALaterCallbackReplacesTheEarlierOne) {
  run_claim c;
  int first = 0, second = 0;
  c.on_cancel([&] { ++first; });
  c.on_cancel([&] { ++second; });
  ASSERT_TRUE(c.try_cancel());
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 1);
}

TEST(RunClaim, StartingDropsTheCallback) {
  run_claim c;
  int told = 0;
  c.on_cancel([&] { ++told; });
  ASSERT_TRUE(c.try_start());
  c.release();
  ASSERT_TRUE(c.try_cancel()); // cancellable again, but nobody asked to be told
  EXPECT_EQ(told, 0);
}

// A cancel racing the holder's on_cancel: whichever order the two threads
// take, the callback runs exactly once (never lost, never twice).
TEST(RunClaim, RacingCancelAndCallbackTellOnce) {
  constexpr int rounds = 20'000;
  int lost = 0, doubled = 0;
  for (int i = 0; i < rounds; ++i) {
    run_claim c;
    std::atomic<int> told{0};
    std::latch go{2};
    std::thread canceller{[&] {
      go.arrive_and_wait();
      c.try_cancel();
    }};
    go.arrive_and_wait();
    c.on_cancel([&] { told.fetch_add(1); });
    canceller.join();
    lost += told.load() == 0;
    doubled += told.load() > 1;
  }
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(doubled, 0);
}

TEST(RareString, ReadsAndWritesLikeAString) {
  rare_string s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.str(), "");
  s = std::string{"key-1"};
  EXPECT_FALSE(s.empty());
  EXPECT_EQ(s, "key-1");
  EXPECT_EQ(std::string_view{s}, "key-1");
  const std::string& as_string = s;
  EXPECT_EQ(as_string, "key-1");
  rare_string copy = s;
  s = "other";
  EXPECT_EQ(copy, "key-1"); // deep copy
  EXPECT_EQ(s, "other");
  s = std::string_view{};
  EXPECT_TRUE(s.empty()); // an empty assignment frees the text
  EXPECT_EQ(s, "");
}

TEST(RareString, IsOnePointer) {
  static_assert(sizeof(rare_string) == sizeof(void*));
  // The two structs a queued task lives in, as measured by memprobe (720
  // bytes per queued task before rare_string and the 16-byte run_claim).
  EXPECT_LE(sizeof(task), 160u);
  EXPECT_LE(sizeof(task_record), 144u);
  EXPECT_LE(sizeof(run_claim), 16u);
}

} // namespace
} // namespace taskmesh
