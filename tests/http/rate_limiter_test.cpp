// File: tests/http/rate_limiter_test.cpp
// The token buckets on a clock the test moves: burst, refill, Retry-After
// rounding, batches that cost their size (and larger than the burst), keys
// that do not share a bucket, and the bound on how many buckets exist.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "transport/http/access/connection_limiter.hpp"
#include "transport/http/access/rate_limiter.hpp"

namespace taskmesh::http {
namespace {

using namespace std::chrono_literals;
using clock = rate_limiter::clock;

TEST(RateLimiter, BurstThenRefillAtTheRate) {
  rate_limiter l{10, 5};
  const auto t0 = clock::time_point{} + 1h;
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(l.take("acme", 1, t0).allowed) << i;
  const auto refused = l.take("acme", 1, t0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_s, 1u); // 0.1 s away rounds up to a whole second
  EXPECT_FALSE(l.take("acme", 1, t0 + 50ms).allowed);
  EXPECT_TRUE(l.take("acme", 1, t0 + 100ms).allowed);
  // A long pause refills to the burst, not beyond.
  const auto later = t0 + 1h;
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(l.take("acme", 1, later).allowed) << i;
  EXPECT_FALSE(l.take("acme", 1, later).allowed);
}

TEST(RateLimiter, RetryAfterIsWholeSecondsUntilItWouldPass) {
  rate_limiter l{0.5, 1}; // one request every 2 s
  const auto t0 = clock::time_point{} + 1h;
  EXPECT_TRUE(l.take("k", 1, t0).allowed);
  auto v = l.take("k", 1, t0);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.retry_after_s, 2u);
  v = l.take("k", 1, t0 + 1500ms);
  EXPECT_EQ(v.retry_after_s, 1u);
  EXPECT_TRUE(l.take("k", 1, t0 + 2s).allowed);
}

TEST(RateLimiter, ABatchCostsItsTasks) {
  rate_limiter l{100, 100};
  const auto t0 = clock::time_point{} + 1h;
  EXPECT_TRUE(l.take("acme", 60, t0).allowed);
  const auto v = l.take("acme", 60, t0);
  EXPECT_FALSE(v.allowed) << "40 left, 60 asked";
  EXPECT_EQ(v.retry_after_s, 1u);
  EXPECT_TRUE(l.take("acme", 40, t0).allowed);
  EXPECT_FALSE(l.take("acme", 1, t0).allowed);
}

TEST(RateLimiter, ABatchLargerThanTheBurstPassesFromAFullBucketAndLeavesDebt) {
  rate_limiter l{10, 10};
  const auto t0 = clock::time_point{} + 1h;
  EXPECT_TRUE(l.take("acme", 1000, t0).allowed);
  // 990 in debt: 99 s at 10/s before one more request passes.
  const auto v = l.take("acme", 1, t0 + 1s);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.retry_after_s, 99u);
  EXPECT_FALSE(l.take("acme", 1, t0 + 99s).allowed);
  EXPECT_TRUE(l.take("acme", 1, t0 + 99s + 100ms).allowed);
}

TEST(RateLimiter, KeysHaveTheirOwnBuckets) {
  rate_limiter l{1, 1};
  const auto t0 = clock::time_point{} + 1h;
  EXPECT_TRUE(l.take("acme", 1, t0).allowed);
  EXPECT_FALSE(l.take("acme", 1, t0).allowed);
  EXPECT_TRUE(l.take("bravo", 1, t0).allowed);
  EXPECT_TRUE(l.take("127.0.0.2", 1, t0).allowed);
}

TEST(RateLimiter, BucketCountIsBoundedAndTheLeastRecentlyUsedGoFirst) {
  const std::size_t max = 16 * 4; // 4 per shard
  rate_limiter l{1, 1, max};
  const auto t0 = clock::time_point{} + 1h;
  EXPECT_TRUE(l.take("busy", 1, t0).allowed);
  for (int i = 0; i < 100'000; ++i) {
    l.take("client-" + std::to_string(i), 1, t0);
    if (i % 3 == 0) { // "busy" stays recently used
      EXPECT_FALSE(l.take("busy", 1, t0).allowed) << "its empty bucket was dropped at " << i;
    }
  }
  EXPECT_LE(l.buckets(), max);
}

TEST(RateLimiter, ThreadsShareBucketsWithoutLosingCount) {
  rate_limiter l{1e-6, 1000}; // no refill to speak of during the test
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i)
        allowed += l.take("shared", 1).allowed ? 1 : 0;
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(allowed.load(), 1000);
}

TEST(ConnectionLimiter, CapsEachAddressAndForgetsClosedOnes) {
  connection_limiter l{2};
  const auto a = boost::asio::ip::make_address("127.0.0.1");
  const auto b = boost::asio::ip::make_address("::1");
  EXPECT_TRUE(l.try_open(a));
  EXPECT_TRUE(l.try_open(a));
  EXPECT_FALSE(l.try_open(a));
  EXPECT_TRUE(l.try_open(b));
  EXPECT_EQ(l.open(a), 2u);
  l.close(a);
  EXPECT_TRUE(l.try_open(a));
  l.close(a);
  l.close(a);
  l.close(a); // more closes than opens change nothing
  EXPECT_EQ(l.open(a), 0u);
  EXPECT_TRUE(l.try_open(a));
}

} // namespace
} // namespace taskmesh::http
