// File: tests/bench/open_loop_schedule_test.cpp
// The open-loop arithmetic without sockets: intended send times, how slots
// are spread over connections, and that a stalled server is charged for
// every request it delayed (latency from the intended time), where timing
// from the actual send would hide the stall (coordinated omission).
#include "bench/loadgen/open_loop_schedule.hpp"

#include <chrono>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "bench/loadgen/histogram.hpp"
#include "bench/loadgen/load_loops.hpp"

namespace taskmesh::loadgen {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

TEST(OpenLoopSchedule, SlotsAreEvenlySpacedAtTheRate) {
  const open_loop_schedule s(1000, 4); // 1 ms apart
  EXPECT_EQ(s.intended(0), 0ns);
  EXPECT_EQ(s.intended(1), 1ms);
  EXPECT_EQ(s.intended(1000), 1s);
  const open_loop_schedule odd(3, 1); // 333,333,333.33 ns apart
  EXPECT_EQ(odd.intended(3), 1s);
  EXPECT_EQ(odd.intended(1), 333'333'333ns);
}

TEST(OpenLoopSchedule, ConnectionsOwnInterleavedSlots) {
  const open_loop_schedule s(100, 3);
  std::set<std::uint64_t> seen;
  for (int c = 0; c < 3; ++c)
    for (std::uint64_t k = 0; k < 10; ++k) EXPECT_TRUE(seen.insert(s.slot(c, k)).second);
  EXPECT_EQ(seen.size(), 30u);
  EXPECT_EQ(*seen.rbegin(), 29u); // no gaps: slots 0..29
  // Each connection runs at rate / C: its consecutive slots are C apart.
  EXPECT_EQ(s.intended(s.slot(1, 1)) - s.intended(s.slot(1, 0)), 30ms);
}

TEST(OpenLoopSchedule, FirstSlotAtAgreesWithIntended) {
  for (double rate : {1.0, 3.0, 7.0, 1000.0, 33333.0, 1e6}) {
    const open_loop_schedule s(rate, 8);
    for (nanoseconds t : {0ns, 1ns, 999'999ns, 1'000'000ns, nanoseconds(2s), 123'456'789ns}) {
      const auto g = s.first_slot_at(t);
      EXPECT_GE(s.intended(g), t) << rate;
      if (g > 0) {
        EXPECT_LT(s.intended(g - 1), t) << rate;
      }
    }
  }
  // Warm-up of 2 s at 100/s: slots 0..199 are warm-up, 200 is the first measured.
  EXPECT_EQ(open_loop_schedule(100, 4).first_slot_at(2s), 200u);
}

TEST(OpenLoopSchedule, PlanSendsOnTimeOrLateButAlwaysTimesFromIntended) {
  const steady::time_point t0{};
  const auto on_time = plan_send(t0 + 10ms, t0 + 4ms);
  EXPECT_EQ(on_time.send_at, t0 + 10ms);
  EXPECT_EQ(on_time.timed_from, t0 + 10ms);
  const auto late = plan_send(t0 + 10ms, t0 + 250ms);
  EXPECT_EQ(late.send_at, t0 + 250ms);   // as soon as possible
  EXPECT_EQ(late.timed_from, t0 + 10ms); // but charged from when it was due
  EXPECT_EQ(elapsed_us(late.timed_from, t0 + 251ms), 241'000u);
  EXPECT_EQ(elapsed_us(t0 + 5ms, t0 + 1ms), 0u);
}

// One connection at 100 requests/s (10 ms apart) against a server that
// answers in 1 ms, except that the first answer stalls for 200 ms.
struct simulated {
  histogram from_intended; // what the loadgen reports
  histogram from_send;     // what a coordinated-omission tool would report
};

simulated simulate_stall() {
  const open_loop_schedule s(100, 1);
  const steady::time_point start{};
  steady::time_point now = start;
  simulated out;
  for (std::uint64_t k = 0; k < 100; ++k) {
    const auto plan = plan_send(start + s.intended(s.slot(0, k)), now);
    const auto service = k == 0 ? 200ms : 1ms;
    const auto done = plan.send_at + service;
    out.from_intended.record(elapsed_us(plan.timed_from, done));
    out.from_send.record(elapsed_us(plan.send_at, done));
    now = done;
  }
  return out;
}

TEST(OpenLoopSchedule, StalledServerShowsInTheTail) {
  const auto sim = simulate_stall();
  // Request k <= 22 was due at 10k ms but answered at 200 + k ms: latency
  // 200 - 9k ms, i.e. 200, 191, ..., 2 ms; 12 of them (k <= 11) exceed
  // 100 ms, so the 89th smallest of the 100 is 101 ms and the 90th 110 ms.
  const auto& h = sim.from_intended;
  EXPECT_EQ(h.max(), 200'000u);
  EXPECT_NEAR(static_cast<double>(h.percentile(89)), 101'000, 1010);
  EXPECT_NEAR(static_cast<double>(h.percentile(90)), 110'000, 1100);
  EXPECT_NEAR(static_cast<double>(h.percentile(50)), 1'000, 10);
  // Timed from the late send, the same run looks healthy up to p99.
  EXPECT_NEAR(static_cast<double>(sim.from_send.percentile(99)), 1'000, 10);
  EXPECT_EQ(sim.from_send.max(), 200'000u);
}

TEST(OpenLoopSchedule, UnsentCountsOnlyMeasuredSlotsOfTheConnection) {
  // Connection slots 3, 7, 11, ... (stride 4), run ends before slot 40.
  EXPECT_EQ(measured_slots_left(3, 40, 4, 0), 10u); // 3..39
  EXPECT_EQ(measured_slots_left(3, 40, 4, 20), 5u); // 23, 27, 31, 35, 39
  EXPECT_EQ(measured_slots_left(39, 40, 4, 0), 1u);
  EXPECT_EQ(measured_slots_left(43, 40, 4, 0), 0u);
  EXPECT_EQ(measured_slots_left(3, 40, 4, 40), 0u);
}

} // namespace
} // namespace taskmesh::loadgen
