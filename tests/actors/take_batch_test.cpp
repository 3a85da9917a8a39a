// File: tests/actors/take_batch_test.cpp
// The dispatcher's lane policy alone: high first, but while the normal lane
// has tasks every fifth task handed out comes from it, counted across calls
// (high_streak); FIFO within each lane; never more than asked for or than
// there is.
#include <deque>
#include <vector>

#include <gtest/gtest.h>

#include "actors/dispatcher.hpp"

namespace taskmesh::actors_test {
namespace {

// Tasks are told apart by payload: "h0", "h1", ... and "n0", "n1", ...
std::deque<task> lane(char tag, std::size_t n) {
  std::deque<task> out;
  for (std::size_t i = 0; i < n; ++i) {
    task t;
    t.prio = tag == 'h' ? priority::high : priority::normal;
    t.payload = std::to_string(i);
    t.payload.insert(t.payload.begin(), tag);
    out.push_back(std::move(t));
  }
  return out;
}

std::size_t count(const std::vector<task>& batch, priority p) {
  std::size_t n = 0;
  for (const auto& t : batch)
    n += t.prio == p ? 1 : 0;
  return n;
}

std::vector<std::string> payloads(const std::vector<task>& batch) {
  std::vector<std::string> out;
  for (const auto& t : batch)
    out.push_back(t.payload);
  return out;
}

std::string pattern(const std::vector<task>& batch) {
  std::string out;
  for (const auto& t : batch)
    out.push_back(t.prio == priority::high ? 'h' : 'n');
  return out;
}

TEST(TakeBatch, HighLaneGoesFirstInOrder) {
  auto high = lane('h', 3);
  auto normal = lane('n', 0);
  std::vector<task> out;
  std::uint32_t streak = 0;
  take_batch(high, normal, 2, out, streak);
  EXPECT_EQ(payloads(out), (std::vector<std::string>{"h0", "h1"}));
  EXPECT_EQ(high.size(), 1u);
  EXPECT_EQ(streak, 0u); // nothing was waiting in the normal lane
}

TEST(TakeBatch, EveryFifthTaskFromNormalWhenBothHaveTasks) {
  auto high = lane('h', 100);
  auto normal = lane('n', 100);
  std::vector<task> out;
  std::uint32_t streak = 0;
  take_batch(high, normal, 10, out, streak);
  ASSERT_EQ(out.size(), 10u);
  EXPECT_EQ(count(out, priority::high), 8u);
  EXPECT_EQ(count(out, priority::normal), 2u);
  // High first; each lane in FIFO order.
  EXPECT_EQ(payloads(out), (std::vector<std::string>{"h0", "h1", "h2", "h3", "n0", "h4", "h5",
                                                     "h6", "h7", "n1"}));
  EXPECT_EQ(high.size(), 92u);
  EXPECT_EQ(normal.size(), 98u);
}

TEST(TakeBatch, NormalShareForManyBatchSizes) {
  for (std::size_t n = 1; n <= 200; ++n) {
    auto high = lane('h', 1000);
    auto normal = lane('n', 1000);
    std::vector<task> out;
    std::uint32_t streak = 0;
    take_batch(high, normal, n, out, streak);
    SCOPED_TRACE(n);
    ASSERT_EQ(out.size(), n);
    EXPECT_EQ(count(out, priority::normal), n / 5); // every fifth task
    EXPECT_EQ(count(out, priority::high), n - n / 5);
  }
}

TEST(TakeBatch, TheCountCarriesAcrossSingleTaskBatches) {
  // A saturated dispatcher frees one slot at a time: the 4:1 pattern must
  // still hold, and high must still come first.
  auto high = lane('h', 100);
  auto normal = lane('n', 100);
  std::vector<task> out;
  std::uint32_t streak = 0;
  for (int i = 0; i < 15; ++i)
    take_batch(high, normal, 1, out, streak);
  EXPECT_EQ(pattern(out), "hhhhnhhhhnhhhhn");
}

TEST(TakeBatch, TheCountCarriesAcrossBatchesOfAnySize) {
  auto high = lane('h', 100);
  auto normal = lane('n', 100);
  std::vector<task> out;
  std::uint32_t streak = 0;
  for (std::size_t n : {3, 2, 7, 1, 4, 3})
    take_batch(high, normal, n, out, streak);
  EXPECT_EQ(pattern(out), "hhhhnhhhhnhhhhnhhhhn");
}

TEST(TakeBatch, NormalWaitingMidStreakGetsTheNextFifthSlot) {
  auto high = lane('h', 10);
  auto normal = lane('n', 0);
  std::vector<task> out;
  std::uint32_t streak = 0;
  take_batch(high, normal, 3, out, streak); // nothing waits in normal: no count
  EXPECT_EQ(streak, 0u);
  normal = lane('n', 2);
  take_batch(high, normal, 6, out, streak);
  EXPECT_EQ(pattern(out), "hhh" "hhhhnh");
}

TEST(TakeBatch, ShortHighLaneLeavesRoomForNormal) {
  auto high = lane('h', 3);
  auto normal = lane('n', 100);
  std::vector<task> out;
  std::uint32_t streak = 0;
  take_batch(high, normal, 10, out, streak);
  ASSERT_EQ(out.size(), 10u);
  EXPECT_EQ(pattern(out), "hhhnnnnnnn");
  EXPECT_TRUE(high.empty());
  EXPECT_EQ(streak, 0u);
}

TEST(TakeBatch, NormalAlone) {
  auto high = lane('h', 0);
  auto normal = lane('n', 10);
  std::vector<task> out;
  std::uint32_t streak = 0;
  take_batch(high, normal, 4, out, streak);
  EXPECT_EQ(payloads(out), (std::vector<std::string>{"n0", "n1", "n2", "n3"}));
  EXPECT_EQ(normal.size(), 6u);
}

TEST(TakeBatch, HighAlone) {
  auto high = lane('h', 10);
  auto normal = lane('n', 0);
  std::vector<task> out;
  std::uint32_t streak = 0;
  take_batch(high, normal, 10, out, streak);
  EXPECT_EQ(count(out, priority::high), 10u);
  EXPECT_TRUE(high.empty());
}

TEST(TakeBatch, AskingForMoreThanThereIsTakesEverything) {
  auto high = lane('h', 2);
  auto normal = lane('n', 3);
  std::vector<task> out;
  std::uint32_t streak = 0;
  take_batch(high, normal, 128, out, streak);
  EXPECT_EQ(payloads(out), (std::vector<std::string>{"h0", "h1", "n0", "n1", "n2"}));
  EXPECT_TRUE(high.empty());
  EXPECT_TRUE(normal.empty());
}

TEST(TakeBatch, EmptyLanesAndZeroAreNoOps) {
  auto high = lane('h', 0);
  auto normal = lane('n', 0);
  std::vector<task> out;
  std::uint32_t streak = 0;
  take_batch(high, normal, 10, out, streak);
  EXPECT_TRUE(out.empty());
  auto h = lane('h', 5);
  auto n = lane('n', 5);
  take_batch(h, n, 0, out, streak);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(h.size() + n.size(), 10u);
}

TEST(TakeBatch, AppendsToWhatIsAlreadyInOut) {
  auto high = lane('h', 1);
  auto normal = lane('n', 1);
  std::vector<task> out;
  out.push_back(std::move(lane('x', 1).front()));
  std::uint32_t streak = 0;
  take_batch(high, normal, 5, out, streak);
  EXPECT_EQ(payloads(out), (std::vector<std::string>{"x0", "h0", "n0"}));
}

} // namespace
} // namespace taskmesh::actors_test
