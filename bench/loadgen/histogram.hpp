// File: bench/loadgen/histogram.hpp
// A fixed-size log-linear latency histogram in the spirit of HdrHistogram:
// values 0..255 are exact, above that each power of two is split into 128
// buckets, so a bucket is at most 1/128 of its value wide and a reported
// percentile (the bucket midpoint) is within 0.4% of the true sample. Covers
// 0 .. 2^32-1 (microseconds: 71 minutes) in 3,328 counters (26 KiB); larger
// values land in the top bucket, while min/max/mean stay exact. Recording
// never allocates, so a run of any length has the same footprint. One per
// thread, merged at the end.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace taskmesh::loadgen {

class histogram {
public:
  static constexpr int sub_bucket_bits = 7;
  static constexpr std::uint64_t sub_bucket_count = 1u << sub_bucket_bits; // 128
  static constexpr std::uint64_t max_trackable = (std::uint64_t{1} << 32) - 1;
  static constexpr std::size_t bucket_count = 26 * sub_bucket_count; // index_of(max_trackable) + 1

  void record(std::uint64_t value) noexcept { record_n(value, 1); }
  void record_n(std::uint64_t value, std::uint64_t n) noexcept;
  void merge(const histogram& other) noexcept;
  void reset() noexcept { *this = histogram{}; }

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept;

  // The value at or below which p percent of the samples fall (p in 0..100),
  // using the nearest-rank definition: the ceil(p/100 * count)-th smallest.
  // 0 when empty; p >= 100 gives the exact max.
  std::uint64_t percentile(double p) const noexcept;

  static std::size_t index_of(std::uint64_t value) noexcept;
  static std::uint64_t bucket_low(std::size_t index) noexcept;
  static std::uint64_t bucket_width(std::size_t index) noexcept;

private:
  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = ~std::uint64_t{0};
  std::uint64_t max_ = 0;
  long double sum_ = 0; // exact for any realistic run (64-bit mantissa)
};

} // namespace taskmesh::loadgen
