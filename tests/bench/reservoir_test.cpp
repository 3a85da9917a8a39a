// File: tests/bench/reservoir_test.cpp
// The id sample of the e2e mode: bounded, drawn only from what was offered,
// and uniform, also after merging per-thread samples of unequal streams.
#include "bench/loadgen/reservoir.hpp"

#include <random>
#include <set>

#include <gtest/gtest.h>

namespace taskmesh::loadgen {
namespace {

TEST(Reservoir, KeepsEverythingBelowCapacity) {
  std::mt19937_64 rng(1);
  reservoir<int> r(10);
  for (int i = 0; i < 7; ++i) r.offer(i, rng);
  EXPECT_EQ(r.items().size(), 7u);
  EXPECT_EQ(r.seen(), 7u);
}

TEST(Reservoir, BoundedAndDistinctFromTheStream) {
  std::mt19937_64 rng(2);
  reservoir<int> r(100);
  for (int i = 0; i < 100'000; ++i) r.offer(i, rng);
  EXPECT_EQ(r.items().size(), 100u);
  const std::set<int> unique(r.items().begin(), r.items().end());
  EXPECT_EQ(unique.size(), 100u);
  for (int v : r.items()) EXPECT_TRUE(v >= 0 && v < 100'000);
}

TEST(Reservoir, SampleIsUniformOverTheStream) {
  // 2000 runs keeping 10 of 100: each item is kept ~200 times.
  std::mt19937_64 rng(3);
  std::vector<int> hits(100);
  for (int run = 0; run < 2000; ++run) {
    reservoir<int> r(10);
    for (int i = 0; i < 100; ++i) r.offer(i, rng);
    for (int v : r.items()) ++hits[static_cast<std::size_t>(v)];
  }
  for (int h : hits) EXPECT_NEAR(h, 200, 75);
}

TEST(Reservoir, MergeIsUniformOverTheUnion) {
  // Thread A saw 9000 items, thread B 1000: a merged sample of 1000 should
  // hold ~900 of A's.
  std::mt19937_64 rng(4);
  reservoir<int> a(1000), b(1000);
  for (int i = 0; i < 9000; ++i) a.offer(i, rng);
  for (int i = 9000; i < 10'000; ++i) b.offer(i, rng);
  a.merge(std::move(b), rng);
  EXPECT_EQ(a.seen(), 10'000u);
  ASSERT_EQ(a.items().size(), 1000u);
  int from_a = 0;
  for (int v : a.items()) from_a += v < 9000;
  EXPECT_NEAR(from_a, 900, 60);
  const std::set<int> unique(a.items().begin(), a.items().end());
  EXPECT_EQ(unique.size(), 1000u);
}

TEST(Reservoir, MergeOfSmallSamplesKeepsAll) {
  std::mt19937_64 rng(5);
  reservoir<int> a(10), b(10);
  for (int i = 0; i < 3; ++i) a.offer(i, rng);
  for (int i = 3; i < 8; ++i) b.offer(i, rng);
  a.merge(std::move(b), rng);
  std::set<int> got(a.items().begin(), a.items().end());
  EXPECT_EQ(got, (std::set<int>{0, 1, 2, 3, 4, 5, 6, 7}));
}

} // namespace
} // namespace taskmesh::loadgen
