// File: tests/transport/nats/priority_fetcher_test.cpp
// Fetching by lane quota from the two real consumers: each lane up to its
// quota, a lane's unused quota taken by the other (both ways), an idle lane
// not waited on while the other has messages, and an idle fetch that waits.
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
  auto got = fetcher.fetch({8, 0}, 1s);
  ASSERT_TRUE(got) << nats::to_string(got.err());
  ASSERT_EQ(got->size(), 8u);
  for (std::size_t i = 0; i < 5; ++i)
    EXPECT_EQ((*got)[i].subject(), cfg_.stream.high_subject()) << i;
  for (std::size_t i = 5; i < 8; ++i)
    EXPECT_EQ((*got)[i].subject(), cfg_.stream.normal_subject()) << i;
  ack_all(*got);
}

// Both lanes have plenty: each gets its quota, round after round (the
// caller's 4:1 split is what reaches the pod). A lane's burst may arrive in
// parts, and what high has not brought yet normal may take, so normal gets
// at least its quota.
TEST_F(PriorityFetcher, EachLaneGetsItsQuotaWhenBothHaveMessages) {
  publish_ok(messages(cfg_.stream.high_subject(), "h", 80));
  publish_ok(messages(cfg_.stream.normal_subject(), "n", 40));
  auto high = bind_high();
  auto normal = bind_normal();
  ASSERT_TRUE(high && normal);
  nats::priority_fetcher fetcher(*high, *normal);
  std::size_t highs = 0;
  for (int round = 0; round < 5; ++round) {
    auto got = fetcher.fetch({8, 2}, 1s);
    ASSERT_TRUE(got) << nats::to_string(got.err());
    EXPECT_LE(got->size(), 10u) << round;
    EXPECT_GE(count_subject(*got, cfg_.stream.normal_subject()), 2u) << round;
    highs += count_subject(*got, cfg_.stream.high_subject());
    ack_all(*got);
  }
  EXPECT_GE(highs, 5u * 4); // nominally 40
}

// Normal has one message: the rest of its quota goes to high.
TEST_F(PriorityFetcher, NormalQuotaItCannotUseGoesToHigh) {
  publish_ok(messages(cfg_.stream.high_subject(), "h", 20));
  publish_ok(messages(cfg_.stream.normal_subject(), "n", 1));
  auto high = bind_high();
  auto normal = bind_normal();
  ASSERT_TRUE(high && normal);
  nats::priority_fetcher fetcher(*high, *normal);
  auto got = fetcher.fetch({4, 4}, 1s);
  ASSERT_TRUE(got) << nats::to_string(got.err());
  EXPECT_EQ(count_subject(*got, cfg_.stream.normal_subject()), 1u);
  EXPECT_GT(count_subject(*got, cfg_.stream.high_subject()), 4u); // nominally 7
  EXPECT_LE(got->size(), 8u);
  ack_all(*got);
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
    auto got = fetcher.fetch({6, 2}, 1s); // high's unused quota goes to normal
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
  auto got = fetcher.fetch({6, 2}, 200ms);
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
    auto idle = fetcher.fetch({6, 2}, 150ms); // settle into the idle pattern
    ASSERT_TRUE(idle && idle->empty());
    std::thread later([&] {
      std::this_thread::sleep_for(100ms);
      publish_ok(messages(subject, high_lane ? "h" : "n", 1));
    });
    const auto t = clock::now();
    auto got = fetcher.fetch({6, 2}, 2s);
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
