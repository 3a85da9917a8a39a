// File: tests/actors/bridge_test.cpp
// The bridge, which lets non-actor code read from the store and stats actors
// through callbacks: found / not_found / unavailable (timeout, dead store),
// and an empty snapshot when stats cannot answer.
#include <gtest/gtest.h>

#include "actors/bridge.hpp"
#include "actors/memory_store.hpp"
#include "actors/stats.hpp"
#include "tests/actors/test_system.hpp"

namespace taskmesh::actors_test {
namespace {

class Bridge : public actor_test {
protected:
  std::optional<lookup_result> lookup(const bridge_actor& b, const task_id& id) {
    auto out = std::make_shared<std::optional<lookup_result>>();
    caf::anon_send(b, get_atom::value, id, lookup_callback{[out](lookup_result r) { *out = r; }});
    run();
    return *out;
  }
};

TEST_F(Bridge, FoundAndNotFound) {
  auto store = spawn(memory_store, store_config{}, &gauges);
  stats_log reported;
  auto b = spawn(bridge, store, spawn(probe_stats, &reported));
  auto t = make_task("echo", "1");
  ask<admission_answer>(store, admit_atom::value,
                        admission_request{{t}, sched.clock().now() + std::chrono::seconds(10)});
  auto found = lookup(b, t.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->outcome, lookup_result::kind::found);
  EXPECT_EQ(found->record.id, t.id);
  auto missing = lookup(b, task_id::generate());
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->outcome, lookup_result::kind::not_found);
}

TEST_F(Bridge, UnavailableWhenTheStoreIsSilentOrGone) {
  stats_log reported;
  auto silent = spawn(silent_store);
  auto b = spawn(bridge, silent, spawn(probe_stats, &reported));
  auto out = std::make_shared<std::optional<lookup_result>>();
  caf::anon_send(b, get_atom::value, task_id::generate(),
                 lookup_callback{[out](lookup_result r) { *out = r; }});
  run();
  EXPECT_FALSE(*out);
  advance(5s); // the bridge's timeout
  ASSERT_TRUE(*out);
  EXPECT_EQ((*out)->outcome, lookup_result::kind::unavailable);

  store_log stored;
  auto gone = spawn(probe_store, &stored);
  auto b2 = spawn(bridge, gone, spawn(probe_stats, &reported));
  caf::anon_send_exit(gone, caf::exit_reason::kill);
  run();
  auto r = lookup(b2, task_id::generate());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, lookup_result::kind::unavailable);
}

TEST_F(Bridge, StatsSnapshotOrEmptyOnError) {
  auto s = spawn(stats, stats_config{"embedded", 3, 16, false}, &ops, &queue, &gauges, &metrics,
                 cluster_stats_actor{});
  store_log stored;
  auto b = spawn(bridge, spawn(probe_store, &stored), s);
  auto out = std::make_shared<std::optional<stats_snapshot>>();
  caf::anon_send(b, get_atom::value, stats_callback{[out](stats_snapshot x) { *out = x; }});
  run();
  ASSERT_TRUE(*out);
  EXPECT_EQ((*out)->mode, "embedded");
  EXPECT_EQ((*out)->workers, 3u);
  // A dead stats actor yields an empty snapshot (the handler answers 503).
  caf::anon_send_exit(s, caf::exit_reason::kill);
  run();
  out->reset();
  caf::anon_send(b, get_atom::value, stats_callback{[out](stats_snapshot x) { *out = x; }});
  run();
  ASSERT_TRUE(*out);
  EXPECT_TRUE((*out)->mode.empty());
}

} // namespace
} // namespace taskmesh::actors_test
