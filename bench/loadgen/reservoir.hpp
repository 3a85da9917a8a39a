// File: bench/loadgen/reservoir.hpp
// A fixed-size uniform random sample of a stream (Vitter's algorithm R),
// so e2e can keep "up to 2,000 random task ids" of a million-task run in
// fixed memory. Per thread while submitting; merged afterwards into one
// uniform sample of the union.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace taskmesh::loadgen {

template <class T>
class reservoir {
public:
  explicit reservoir(std::size_t capacity) : capacity_(capacity) { items_.reserve(capacity); }

  template <class Rng>
  void offer(T item, Rng& rng) {
    ++seen_;
    if (items_.size() < capacity_) {
      items_.push_back(std::move(item));
      return;
    }
    std::uniform_int_distribution<std::uint64_t> pick(0, seen_ - 1);
    if (const auto j = pick(rng); j < capacity_)
      items_[static_cast<std::size_t>(j)] = std::move(item);
  }

  // Makes this a uniform sample of both streams: the number taken from each
  // side follows the hypergeometric split of the two stream sizes, drawn one
  // slot at a time, and each side gives up a random subset of its sample.
  template <class Rng>
  void merge(reservoir&& other, Rng& rng) {
    std::vector<T> a = std::move(items_), b = std::move(other.items_);
    std::uint64_t left_a = seen_, left_b = other.seen_;
    seen_ += other.seen_;
    const std::size_t want = std::min<std::size_t>(capacity_, a.size() + b.size());
    items_.clear();
    items_.reserve(want);
    while (items_.size() < want) {
      std::uniform_int_distribution<std::uint64_t> side(0, left_a + left_b - 1);
      auto& from = side(rng) < left_a ? a : b;
      (&from == &a ? left_a : left_b) -= 1;
      std::uniform_int_distribution<std::size_t> pick(0, from.size() - 1);
      const std::size_t j = pick(rng);
      items_.push_back(std::move(from[j]));
      from[j] = std::move(from.back());
      from.pop_back();
    }
  }

  std::uint64_t seen() const noexcept { return seen_; }
  const std::vector<T>& items() const noexcept { return items_; }
  std::vector<T>& items() noexcept { return items_; }

private:
  std::size_t capacity_;
  std::uint64_t seen_ = 0;
  std::vector<T> items_;
};

} // namespace taskmesh::loadgen
