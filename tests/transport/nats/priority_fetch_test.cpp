// File: tests/transport/nats/priority_fetch_test.cpp
// The lane policy as pure functions: which lane a round asks first, how
// much the second lane is asked for, and which lanes a round skips.
#include <gtest/gtest.h>

#include "transport/nats/priority_fetch.hpp"

namespace taskmesh::nats_test {
namespace {

using namespace taskmesh::nats;

TEST(PriorityPolicy, HighFirstExceptEveryNthRound) {
  const priority_policy p{5};
  for (std::uint64_t r = 0; r < 20; ++r)
    EXPECT_EQ(first_lane(r, p), r % 5 == 4 ? lane::normal : lane::high) << "round " << r;
}

TEST(PriorityPolicy, NormalEveryOneMeansNormalAlwaysFirst) {
  const priority_policy p{1};
  EXPECT_EQ(first_lane(0, p), lane::normal);
  EXPECT_EQ(first_lane(1, p), lane::normal);
  const priority_policy zero{0}; // treated as 1, never a division by zero
  EXPECT_EQ(first_lane(3, zero), lane::normal);
}

TEST(PriorityPolicy, NormalGetsOneRoundInNUnderSustainedLoad) {
  const priority_policy p{5};
  int normal_first = 0;
  for (std::uint64_t r = 0; r < 1000; ++r)
    normal_first += first_lane(r, p) == lane::normal;
  EXPECT_EQ(normal_first, 200);
}

TEST(PriorityPolicy, SecondLaneGetsWhatTheFirstLeft) {
  EXPECT_EQ(remaining_ask(256, 0), 256);
  EXPECT_EQ(remaining_ask(256, 100), 156);
  EXPECT_EQ(remaining_ask(256, 256), 0);
  EXPECT_EQ(remaining_ask(8, 9), 0);
}

TEST(PriorityPolicy, PlanAsksBothLanesInRoundOrder) {
  const priority_policy p{5};
  auto plan = plan_round(0, p);
  ASSERT_EQ(plan.count, 2u);
  EXPECT_EQ(plan.order[0], lane::high);
  EXPECT_EQ(plan.order[1], lane::normal);
  plan = plan_round(4, p);
  ASSERT_EQ(plan.count, 2u);
  EXPECT_EQ(plan.order[0], lane::normal);
  EXPECT_EQ(plan.order[1], lane::high);
}

TEST(PriorityPolicy, IsUsableAtCompileTime) {
  static_assert(first_lane(0, priority_policy{}) == lane::high);
  static_assert(plan_round(4, priority_policy{}).order[0] == lane::normal);
  static_assert(remaining_ask(4, 1) == 3);
  SUCCEED();
}

} // namespace
} // namespace taskmesh::nats_test
