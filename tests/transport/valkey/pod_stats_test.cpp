// File: tests/transport/valkey/pod_stats_test.cpp
// What worker pods share for cluster-wide /stats, against a real
// redis-server: windows of several pods add up, a pod whose window is no
// longer fresh drops out, the sample lists keep only the most recent
// `window` samples while the counts keep everything.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/transport/valkey/valkey_fixture.hpp"
#include "transport/valkey/pod_stats.hpp"

namespace taskmesh::valkey {
namespace {

using namespace std::chrono_literals;
using testing::RecordsTest;
using test_support::wait_until;

class PodStats : public RecordsTest {
protected:
  pod_stats make(pod_stats_options o = {"tm"}) { return pod_stats(*valkey, o); }
  static void shared(result<void> r) {
    if (!r)
      ADD_FAILURE() << "valkey error: " << r.err().message;
  }
};

TEST_F(PodStats, NothingSharedYet) {
  auto pods = make();
  const auto s = ok(pods.read());
  EXPECT_EQ(s.pods, 0u);
  EXPECT_EQ(s.capacity_ns, 0u);
  EXPECT_TRUE(s.queue_wait_us.empty());
  EXPECT_EQ(s.processing_samples, 0u);
}

TEST_F(PodStats, WindowsOfAllPodsAddUp) {
  auto pods = make();
  shared(pods.share("a", {300, 1000, {1, 2}, {10}}));
  shared(pods.share("b", {500, 2000, {3}, {20, 30}}));
  shared(pods.share("a", {100, 1000, {4}, {}})); // a's newer window replaces its older one
  const auto s = ok(pods.read());
  EXPECT_EQ(s.pods, 2u);
  EXPECT_EQ(s.busy_ns, 600u);
  EXPECT_EQ(s.capacity_ns, 3000u);
  EXPECT_EQ(s.queue_wait_us, (std::vector<std::uint32_t>{1, 2, 3, 4}));
  EXPECT_EQ(s.processing_us, (std::vector<std::uint32_t>{10, 20, 30}));
  EXPECT_EQ(s.queue_wait_samples, 4u);
  EXPECT_EQ(s.processing_samples, 3u);
}

TEST_F(PodStats, ListsKeepTheMostRecentWindowCountsKeepAll) {
  auto pods = make({"tm", 3});
  shared(pods.share("a", {0, 1000, {1, 2, 3, 4}, {}}));
  shared(pods.share("b", {0, 1000, {5}, {}}));
  const auto s = ok(pods.read());
  EXPECT_EQ(s.queue_wait_us, (std::vector<std::uint32_t>{3, 4, 5}));
  EXPECT_EQ(s.queue_wait_samples, 5u);
}

TEST_F(PodStats, APodThatStoppedSharingDropsOut) {
  auto reader = make({"tm", 8192, 200ms});
  auto writer = make();
  shared(writer.share("gone", {100, 1000, {}, {}}));
  EXPECT_EQ(ok(reader.read()).pods, 1u);
  // Its window ages past `fresh` (200 ms): nothing but time changes.
  EXPECT_TRUE(wait_until([&] { return ok(reader.read()).pods == 0; }, 3s));
  shared(writer.share("live", {250, 1000, {}, {}}));
  const auto s = ok(reader.read());
  EXPECT_EQ(s.pods, 1u);
  EXPECT_EQ(s.busy_ns, 250u);
}

TEST_F(PodStats, AFailingServerIsAnError) {
  auto pods = make();
  server->kill();
  EXPECT_FALSE(pods.share("a", {1, 2, {}, {}}));
  EXPECT_FALSE(pods.read());
}

} // namespace
} // namespace taskmesh::valkey
