// File: tests/actors/retry_policy_test.cpp
// retry_policy::delay_for: exponential steps from base_delay, capped at
// max_delay, with "equal jitter" (the delay lies in [step/2, step]).
#include <cstdint>
#include <limits>
#include <set>

#include <gtest/gtest.h>

#include "actors/pipeline.hpp"

namespace taskmesh::actors_test {
namespace {

using std::chrono::milliseconds;

constexpr std::uint64_t no_jitter = 0;
constexpr std::uint64_t max_random = std::numeric_limits<std::uint64_t>::max();

retry_policy policy(std::int64_t base_ms = 100, std::int64_t max_ms = 30'000) {
  return retry_policy{milliseconds{base_ms}, milliseconds{max_ms}};
}

// The largest jitter the policy can draw for a step: random == half.
milliseconds top_of_step(const retry_policy& p, std::uint32_t attempts, std::int64_t step) {
  return p.delay_for(attempts, static_cast<std::uint64_t>(step / 2));
}

TEST(RetryPolicy, FirstRetryIsBaseDelay) {
  const auto p = policy(100);
  EXPECT_EQ(top_of_step(p, 1, 100), milliseconds{100});
  EXPECT_EQ(p.delay_for(1, no_jitter), milliseconds{50});
}

TEST(RetryPolicy, ZeroFailedAttemptsIsTreatedAsFirst) {
  const auto p = policy(100);
  EXPECT_EQ(top_of_step(p, 0, 100), milliseconds{100});
}

TEST(RetryPolicy, StepDoublesPerAttempt) {
  const auto p = policy(100);
  EXPECT_EQ(top_of_step(p, 2, 200), milliseconds{200});
  EXPECT_EQ(top_of_step(p, 3, 400), milliseconds{400});
  EXPECT_EQ(top_of_step(p, 4, 800), milliseconds{800});
  EXPECT_EQ(p.delay_for(2, no_jitter), milliseconds{100});
  EXPECT_EQ(p.delay_for(3, no_jitter), milliseconds{200});
  EXPECT_EQ(p.delay_for(4, no_jitter), milliseconds{400});
}

TEST(RetryPolicy, StepIsCappedAtMaxDelay) {
  const auto p = policy(100, 1000);
  EXPECT_EQ(top_of_step(p, 5, 1000), milliseconds{1000}); // 1600 capped
  EXPECT_EQ(p.delay_for(5, no_jitter), milliseconds{500});
  // Very many attempts neither overflow nor exceed the cap.
  for (std::uint32_t attempts : {10u, 31u, 32u, 64u, 255u, 1'000'000u}) {
    SCOPED_TRACE(attempts);
    EXPECT_LE(p.delay_for(attempts, max_random), milliseconds{1000});
    EXPECT_GE(p.delay_for(attempts, max_random), milliseconds{500});
  }
}

TEST(RetryPolicy, JitterStaysWithinHalfToFullStep) {
  const auto p = policy(100, 30'000);
  for (std::uint32_t attempts = 1; attempts <= 12; ++attempts) {
    const std::int64_t step = std::min<std::int64_t>(100LL << (attempts - 1), 30'000);
    for (std::uint64_t random : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{7},
                                 std::uint64_t{12345}, std::uint64_t{0x9E3779B97F4A7C15ull},
                                 max_random}) {
      const auto d = p.delay_for(attempts, random).count();
      EXPECT_GE(d, step - step / 2) << "attempts " << attempts << " random " << random;
      EXPECT_LE(d, step) << "attempts " << attempts << " random " << random;
    }
  }
}

TEST(RetryPolicy, JitterSpreadsDelays) {
  const auto p = policy(1000);
  std::set<std::int64_t> seen;
  for (std::uint64_t random = 0; random < 100; ++random)
    seen.insert(p.delay_for(1, random * 7919).count());
  EXPECT_GT(seen.size(), 50u);
}

TEST(RetryPolicy, TinyBaseDelay) {
  EXPECT_EQ(policy(1).delay_for(1, max_random), milliseconds{1});
  EXPECT_EQ(policy(0).delay_for(3, max_random), milliseconds{0});
}

} // namespace
} // namespace taskmesh::actors_test
