// File: tests/bench/histogram_test.cpp
// The latency histogram against exact percentiles of known samples: every
// reported percentile must be within the histogram's stated precision of
// the nearest-rank value computed by sorting.
#include "bench/loadgen/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace taskmesh::loadgen {
namespace {

std::uint64_t exact_percentile(std::vector<std::uint64_t> v, double p) {
  std::sort(v.begin(), v.end());
  if (p >= 100) return v.back();
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(v.size()))));
  return v[rank - 1];
}

void expect_close_to_exact(const std::vector<std::uint64_t>& values) {
  histogram h;
  for (auto v : values) h.record(v);
  for (double p : {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    const double exact = static_cast<double>(exact_percentile(values, p));
    const double got = static_cast<double>(h.percentile(p));
    // Midpoint of a bucket at most 1/128 wide: 0.4%; allow 1% plus one unit.
    EXPECT_NEAR(got, exact, exact * 0.01 + 1) << "p" << p;
  }
  EXPECT_EQ(h.count(), values.size());
  EXPECT_EQ(h.min(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
}

TEST(Histogram, EmptyReportsZeros) {
  histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, SmallValuesAreExact) {
  histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 50u);
  EXPECT_EQ(h.percentile(90), 90u);
  EXPECT_EQ(h.percentile(99), 99u);
  EXPECT_EQ(h.percentile(100), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(Histogram, BucketsTileTheRangeWithoutGapsAndWithinPrecision) {
  for (std::size_t i = 1; i < histogram::bucket_count; ++i) {
    ASSERT_EQ(histogram::bucket_low(i),
              histogram::bucket_low(i - 1) + histogram::bucket_width(i - 1))
        << i;
    ASSERT_LE(histogram::bucket_width(i) * 128,
              std::max<std::uint64_t>(histogram::bucket_low(i), 128));
  }
  for (std::uint64_t v : {0ull, 1ull, 255ull, 256ull, 257ull, 1000ull, 123456ull, 4294967295ull}) {
    const auto i = histogram::index_of(v);
    EXPECT_LE(histogram::bucket_low(i), v);
    EXPECT_LT(v, histogram::bucket_low(i) + histogram::bucket_width(i));
  }
  EXPECT_EQ(histogram::index_of(histogram::max_trackable), histogram::bucket_count - 1);
}

TEST(Histogram, UniformMicrosecondsToSeconds) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::uint64_t> d(1, 2'000'000);
  std::vector<std::uint64_t> v(100'000);
  for (auto& x : v) x = d(rng);
  expect_close_to_exact(v);
}

TEST(Histogram, LogNormalLatencies) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> d(std::log(800.0), 1.2); // ~800us median, long tail
  std::vector<std::uint64_t> v(200'000);
  for (auto& x : v) x = static_cast<std::uint64_t>(d(rng)) + 1;
  expect_close_to_exact(v);
}

TEST(Histogram, BimodalWithStallTail) {
  // 99% fast answers, 1% stuck behind a 2 s stall: the tail must show it.
  std::vector<std::uint64_t> v;
  for (int i = 0; i < 9900; ++i) v.push_back(500 + static_cast<std::uint64_t>(i % 100));
  for (int i = 0; i < 100; ++i) v.push_back(2'000'000 + static_cast<std::uint64_t>(i) * 1000);
  expect_close_to_exact(v);
  histogram h;
  for (auto x : v) h.record(x);
  EXPECT_LT(h.percentile(99), 1000u);
  EXPECT_GT(h.percentile(99.9), 2'000'000u);
}

TEST(Histogram, MinutesAndBeyondClampButKeepExactMax) {
  histogram h;
  h.record(90ull * 60 * 1'000'000); // 90 min: beyond the trackable range
  h.record(5ull * 60 * 1'000'000);  // 5 min
  EXPECT_EQ(h.max(), 90ull * 60 * 1'000'000);
  EXPECT_NEAR(static_cast<double>(h.percentile(50)), 300e6, 300e6 * 0.01);
  EXPECT_EQ(h.percentile(100), 90ull * 60 * 1'000'000);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(3);
  std::exponential_distribution<double> d(1.0 / 5000);
  histogram parts[4];
  histogram all;
  for (int i = 0; i < 40'000; ++i) {
    const auto v = static_cast<std::uint64_t>(d(rng));
    parts[i % 4].record(v);
    all.record(v);
  }
  histogram merged;
  for (const auto& p : parts) merged.merge(p);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_DOUBLE_EQ(merged.mean(), all.mean());
  for (double p : {50.0, 90.0, 99.0, 99.9}) EXPECT_EQ(merged.percentile(p), all.percentile(p));
}

TEST(Histogram, MergingAnEmptyHistogramChangesNothing) {
  histogram h;
  h.record(10);
  h.merge(histogram{});
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.min(), 10u);
}

TEST(Histogram, RecordNCountsWeight) {
  histogram h;
  h.record_n(100, 99);
  h.record_n(10'000, 1);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.percentile(99), 100u);
  EXPECT_EQ(h.percentile(100), 10'000u);
  EXPECT_DOUBLE_EQ(h.mean(), (99.0 * 100 + 10'000) / 100);
}

} // namespace
} // namespace taskmesh::loadgen
