// File: tests/http/delay_progress_test.cpp
// The progress a live event stream shows while a task waits out its delay:
// by the wall clock from the attempt's start, 0-100, and nothing when the
// start is not known (a start of 0 once made the percentage overflow an int).
#include <limits>

#include <gtest/gtest.h>

#include "transport/http/streams/task_event_stream.hpp"

namespace taskmesh::http {
namespace {

constexpr timestamp start = 1'795'000'000'000'000;

TEST(DelayProgress, FollowsTheWallClockFromTheAttemptsStart) {
  EXPECT_EQ(delay_progress(start, start, 2000), 0);
  EXPECT_EQ(delay_progress(start + 500'000, start, 2000), 25);
  EXPECT_EQ(delay_progress(start + 1'999'000, start, 2000), 99);
  EXPECT_EQ(delay_progress(start + 2'000'000, start, 2000), 100);
}

TEST(DelayProgress, StaysWithin0And100WhateverTheClocksSay) {
  EXPECT_EQ(delay_progress(start - 5'000'000, start, 2000), 0) << "a clock behind the worker's";
  EXPECT_EQ(delay_progress(start + 3'600'000'000, start, 1), 100) << "long past the delay";
  EXPECT_EQ(delay_progress(std::numeric_limits<timestamp>::max(), 1, 1), 100);
}

TEST(DelayProgress, NothingWithoutAStartOrADelay) {
  EXPECT_EQ(delay_progress(start, 0, 2000), std::nullopt);
  EXPECT_EQ(delay_progress(start, -1, 2000), std::nullopt);
  EXPECT_EQ(delay_progress(start, start, 0), std::nullopt);
}

} // namespace
} // namespace taskmesh::http
