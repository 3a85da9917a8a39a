// File: tests/transport/nats/priority_fetcher_test.cpp
// The lane policy run against the two real consumers: high first, normal
// when high leaves room, normal every 5th round under sustained high load,
// an idle lane not polled every round, and an idle fetch that waits.
#include "tests/transport/nats/nats_fixture.hpp"

#include "transport/nats/priority_fetcher.hpp"

namespace taskmesh::nats_test {
namespace {

using PriorityFetcher = NatsTest;

std::size_t count_subject(const std::vector<nats::delivery>& ds, const std::string& subject) {
  std::size_t n = 0;
  for (const auto& d : ds)
    n += d.subject() == subject;
  return n;
}

void ack_all(std::vector<nats::delivery>& ds) {
  for (auto& d : ds)
    EXPECT_FALSE(d.ack());
}

TEST_F(PriorityFetcher, HighFirstThenNormalFillsTheBatch) {
  // Normal published first: order of arrival does not matter.
  publish_ok(messages(cfg_.stream.normal_subject(), "n", 10));
  publish_ok(messages(cfg_.stream.high_subject(), "h", 5));
  auto high = bind_high();
  auto normal = bind_normal();
  ASSERT_TRUE(high && normal);
  nats::priority_fetcher fetcher(*high, *normal);
  auto got = fetcher.fetch(8, 1s);
  ASSERT_TRUE(got) << nats::to_string(got.err());
  ASSERT_EQ(got->size(), 8u);
  for (std::size_t i = 0; i < 5; ++i)
    EXPECT_EQ((*got)[i].subject(), cfg_.stream.high_subject()) << i;
  for (std::size_t i = 5; i < 8; ++i)
    EXPECT_EQ((*got)[i].subject(), cfg_.stream.normal_subject()) << i;
  ack_all(*got);
}

TEST_F(PriorityFetcher, NormalIsServedEveryFifthRoundUnderSustainedHighLoad) {
  publish_ok(messages(cfg_.stream.high_subject(), "h", 80));
  publish_ok(messages(cfg_.stream.normal_subject(), "n", 20));
  auto high = bind_high();
  auto normal = bind_normal();
  ASSERT_TRUE(high && normal);
  nats::priority_fetcher fetcher(*high, *normal, {nats::priority_policy{5}});
  std::vector<std::size_t> normal_per_round;
  for (int round = 0; round < 10; ++round) {
    auto got = fetcher.fetch(8, 1s);
    ASSERT_TRUE(got) << nats::to_string(got.err());
    ASSERT_EQ(got->size(), 8u);
    normal_per_round.push_back(count_subject(*got, cfg_.stream.normal_subject()));
    ack_all(*got);
  }
  EXPECT_EQ(normal_per_round,
            (std::vector<std::size_t>{0, 0, 0, 0, 8, 0, 0, 0, 0, 8}));
}

TEST_F(PriorityFetcher, AnEmptyLaneCostsNoWait) {
  publish_ok(messages(cfg_.stream.normal_subject(), "n", 8 * 20));
  auto high = bind_high();
  auto normal = bind_normal();
  ASSERT_TRUE(high && normal);
  nats::priority_fetcher fetcher(*high, *normal);
  const auto t = clock::now();
  std::size_t taken = 0;
  while (taken < 8 * 20) {
    auto got = fetcher.fetch(8, 1s);
    ASSERT_TRUE(got);
    ASSERT_FALSE(got->empty());
    EXPECT_LE(got->size(), 8u);
    taken += got->size();
    ack_all(*got);
  }
  const auto elapsed = ms_since(t);
  // The empty high lane is looked at every round, but never waited on
  // while normal has messages: one pull request, held open.
  EXPECT_EQ(high->probe().pull_requests.load(), 1u);
  EXPECT_LT(elapsed, 1000) << "rounds waited on the empty lane";
}

TEST_F(PriorityFetcher, IdleFetchWaitsThenReturnsEmpty) {
  auto high = bind_high();
  auto normal = bind_normal();
  ASSERT_TRUE(high && normal);
  nats::priority_fetcher fetcher(*high, *normal);
  const auto t = clock::now();
  auto got = fetcher.fetch(8, 200ms);
  const auto elapsed = ms_since(t);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->empty());
  EXPECT_GE(elapsed, 190);
  EXPECT_LE(elapsed, 200 + 100);
}

TEST_F(PriorityFetcher, IdleWorkerPicksUpANewTaskQuickly) {
  auto high = bind_high();
  auto normal = bind_normal();
  ASSERT_TRUE(high && normal);
  nats::priority_fetcher fetcher(*high, *normal);
  for (bool high_lane : {true, false}) {
    const std::string subject =
      high_lane ? cfg_.stream.high_subject() : cfg_.stream.normal_subject();
    auto idle = fetcher.fetch(8, 150ms); // settle into the idle pattern
    ASSERT_TRUE(idle && idle->empty());
    std::thread later([&] {
      std::this_thread::sleep_for(100ms);
      publish_ok(messages(subject, high_lane ? "h" : "n", 1));
    });
    const auto t = clock::now();
    auto got = fetcher.fetch(8, 2s);
    const auto elapsed = ms_since(t);
    later.join();
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ(got->front().subject(), subject);
    // Either lane: already in the pod, taken within a lane_wait (3 ms).
    EXPECT_LT(elapsed, 100 + 60) << subject;
    ack_all(*got);
  }
}

} // namespace
} // namespace taskmesh::nats_test
