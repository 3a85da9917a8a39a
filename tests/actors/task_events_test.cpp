// File: tests/actors/task_events_test.cpp
// The event hub on its own (actors/task_events.hpp): transition ids, who
// hears what, the kept history for Last-Event-ID, the stream caps, a stream
// that stops taking being dropped while publishing never waits, and
// close_all on shutdown.
#include <cstdio>

#include <gtest/gtest.h>

#include "actors/task_events.hpp"

namespace taskmesh {
namespace {

task_record record(const task_id& id, task_status status, std::uint8_t attempts,
                   timestamp next_attempt_at = 0) {
  task_record r;
  r.id = id;
  r.status = status;
  r.attempts = attempts;
  r.next_attempt_at = next_attempt_at;
  return r;
}

task_id make_id(unsigned n) {
  char text[40];
  std::snprintf(text, sizeof text, "01a2011d-2a86-7ed7-8584-69cc501a37%02x", n & 0xff);
  return *task_id::parse(text);
}

TEST(TransitionSeq, GrowsThroughATasksLife) {
  const auto id = make_id(1);
  const std::vector<std::pair<task_record, std::uint32_t>> life{
    {record(id, task_status::queued, 0), 0},   {record(id, task_status::running, 1), 5},
    {record(id, task_status::queued, 1, 9), 6}, {record(id, task_status::running, 2), 9},
    {record(id, task_status::dead, 2), 11},    {record(id, task_status::cancelled, 0), 3},
  };
  for (const auto& [r, seq] : life)
    EXPECT_EQ(transition_seq(r), seq) << to_string(r.status) << " attempts " << int{r.attempts};
}

TEST(EventHub, OnlyWatchersOfATaskHearIt) {
  task_event_hub hub;
  int wakes = 0;
  auto a = hub.open("", [&] { ++wakes; });
  auto b = hub.open("", [&] { ++wakes; });
  hub.watch(*a, make_id(1));
  hub.watch(*b, make_id(2));
  hub.publish(record(make_id(1), task_status::running, 1));
  hub.publish(record(make_id(3), task_status::running, 1)); // nobody watches
  const auto got = a->take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->status, task_status::running);
  EXPECT_TRUE(b->take().empty());
  EXPECT_EQ(wakes, 1);
}

TEST(EventHub, RepeatsArePublishedOnce) {
  task_event_hub hub;
  auto s = hub.open("", [] {});
  hub.watch(*s, make_id(1));
  hub.publish(record(make_id(1), task_status::running, 1));
  hub.publish(record(make_id(1), task_status::running, 1));
  hub.publish(record(make_id(1), task_status::queued, 0)); // older: ignored
  EXPECT_EQ(s->take().size(), 1u);
}

TEST(EventHub, HistoryOutlivesTheStreamForAReconnect) {
  task_event_hub hub;
  {
    auto s = hub.open("", [] {});
    hub.watch(*s, make_id(1));
    hub.publish(record(make_id(1), task_status::running, 1));
  }
  hub.publish(record(make_id(1), task_status::succeeded, 1)); // while disconnected
  auto again = hub.open("", [] {});
  const auto kept = hub.watch(*again, make_id(1));
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0]->status, task_status::running);
  EXPECT_EQ(kept[1]->status, task_status::succeeded);
}

TEST(EventHub, KeptHistoriesAreBounded) {
  task_event_hub hub{{.kept_histories = 2}};
  for (std::uint8_t n = 1; n <= 3; ++n) {
    auto s = hub.open("", [] {});
    hub.watch(*s, make_id(n));
    hub.publish(record(make_id(n), task_status::running, 1));
  }
  auto s = hub.open("", [] {});
  EXPECT_TRUE(hub.watch(*s, make_id(1)).empty()); // the oldest went
  auto t = hub.open("", [] {});
  EXPECT_EQ(hub.watch(*t, make_id(3)).size(), 1u);
}

TEST(EventHub, CapsPerProcessAndPerTenant) {
  task_event_hub hub{{.max_streams = 3, .max_per_tenant = 2}};
  auto a1 = hub.open("a", [] {});
  auto a2 = hub.open("a", [] {});
  EXPECT_EQ(hub.open("a", [] {}), nullptr);
  auto b1 = hub.open("b", [] {});
  EXPECT_EQ(hub.open("c", [] {}), nullptr); // process cap
  a1.reset(); // a closed stream frees its places
  auto a3 = hub.open("a", [] {});
  EXPECT_NE(a3, nullptr);
  EXPECT_EQ(hub.open_streams(), 3u);
}

TEST(EventHub, AStreamThatStopsTakingIsDroppedAndNobodyWaits) {
  task_event_hub hub{{.inbox = 4}};
  auto slow = hub.open("", [] {});
  auto fine = hub.open("", [] {});
  hub.watch(*slow, make_id(1));
  hub.watch(*fine, make_id(2));
  for (std::uint8_t attempt = 1; attempt <= 10; ++attempt) // 10 transitions, never taken
    hub.publish(record(make_id(1), task_status::running, attempt));
  EXPECT_TRUE(slow->closed());
  EXPECT_TRUE(slow->overflowed());
  EXPECT_TRUE(slow->take().empty());
  EXPECT_EQ(hub.dropped(), 1u);
  EXPECT_FALSE(fine->closed());
}

TEST(EventHub, CloseAllEndsEveryStreamAndRefusesNewOnes) {
  task_event_hub hub;
  int wakes = 0;
  auto s = hub.open("", [&] { ++wakes; });
  hub.close_all();
  EXPECT_TRUE(s->closed());
  EXPECT_FALSE(s->overflowed());
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(hub.open("", [] {}), nullptr);
}

} // namespace
} // namespace taskmesh
