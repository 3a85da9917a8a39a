// File: transport/nats/priority_fetch.hpp
// The lane policy for fetching from the two consumers (high, normal), as
// pure functions; priority_fetcher.hpp runs it against real consumers.
//
// One round fills one batch of B:
//   1. Ask the round's first lane for up to B. That is high, except on every
//      `normal_every`-th round (rounds N-1, 2N-1, ...), which asks normal
//      first: under sustained high load normal still gets about one batch
//      in N, so it slows down but never starves (the embedded dispatcher's
//      4 high : 1 normal, at batch granularity).
//   2. If that returned fewer than B, ask the other lane for the rest.
//   Taking from a lane never waits: each lane keeps a pull request open
//   (pull_consumer.hpp), so its messages are already in the pod. Only when
//   neither lane has anything does priority_fetcher wait, a few ms at a
//   time on each lane in turn.
// Nothing here blocks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace taskmesh::nats {

enum class lane : std::uint8_t { high, normal };

struct priority_policy {
  std::uint32_t normal_every = 5; // every 5th round asks normal first; 1 = always normal first
};

// The lane a round asks first.
constexpr lane first_lane(std::uint64_t round, const priority_policy& p) noexcept {
  const std::uint64_t n = p.normal_every == 0 ? 1 : p.normal_every;
  return round % n == n - 1 ? lane::normal : lane::high;
}

constexpr lane other(lane l) noexcept { return l == lane::high ? lane::normal : lane::high; }

// How many to ask the next lane for after `got` of `batch` (0: stop).
constexpr int remaining_ask(int batch, int got) noexcept { return got >= batch ? 0 : batch - got; }

struct round_plan {
  std::array<lane, 2> order{lane::high, lane::normal};
  std::size_t count = 0; // lanes to ask, in `order`
};

// Lanes to ask this round, in order.
constexpr round_plan plan_round(std::uint64_t round, const priority_policy& p) noexcept {
  const lane first = first_lane(round, p);
  return round_plan{{first, other(first)}, 2};
}

} // namespace taskmesh::nats
