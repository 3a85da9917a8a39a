// File: bench/loadgen/histogram.cpp
#include "bench/loadgen/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace taskmesh::loadgen {

// Index layout: values below 2 * sub_bucket_count map to themselves; a value
// with highest bit m >= 8 keeps its top 8 bits (128..255) and is shifted by
// m - 7, so index = shift * 128 + top bits. Consecutive octaves tile the
// index space without gaps.
std::size_t histogram::index_of(std::uint64_t value) noexcept {
  value = std::min(value, max_trackable);
  if (value < 2 * sub_bucket_count) return static_cast<std::size_t>(value);
  const int shift = std::bit_width(value) - 1 - sub_bucket_bits;
  return static_cast<std::size_t>(shift) * sub_bucket_count + (value >> shift);
}

std::uint64_t histogram::bucket_low(std::size_t index) noexcept {
  if (index < 2 * sub_bucket_count) return index;
  const std::size_t shift = index / sub_bucket_count - 1;
  return (index - shift * sub_bucket_count) << shift;
}

std::uint64_t histogram::bucket_width(std::size_t index) noexcept {
  if (index < 2 * sub_bucket_count) return 1;
  return std::uint64_t{1} << (index / sub_bucket_count - 1);
}

void histogram::record_n(std::uint64_t value, std::uint64_t n) noexcept {
  if (n == 0) return;
  counts_[index_of(value)] += n;
  count_ += n;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<long double>(value) * static_cast<long double>(n);
}

void histogram::merge(const histogram& other) noexcept {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double histogram::mean() const noexcept {
  return count_ ? static_cast<double>(sum_ / static_cast<long double>(count_)) : 0.0;
}

std::uint64_t histogram::percentile(double p) const noexcept {
  if (count_ == 0) return 0;
  if (p >= 100.0) return max_;
  const double wanted = std::ceil(std::max(p, 0.0) / 100.0 * static_cast<double>(count_));
  const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The midpoint halves the worst-case error; the exact extremes bound it.
      const std::uint64_t mid = bucket_low(i) + (bucket_width(i) - 1) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

} // namespace taskmesh::loadgen
