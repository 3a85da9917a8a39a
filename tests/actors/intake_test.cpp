// File: tests/actors/intake_test.cpp
// Intake against probe store/stats/dispatcher actors: one admit per drain
// round, answers in submission order, accepted tasks counted and handed to
// the dispatcher, and "unavailable" (with the backlog released) when the
// store does not answer in time or is gone.
#include <gtest/gtest.h>

#include "actors/intake.hpp"
#include "tests/actors/test_system.hpp"

namespace taskmesh::actors_test {
namespace {

using kind = submission_result::kind;

class Intake : public actor_test {
protected:
  intake_actor start(store_actor store, std::size_t drain_batch = 1024) {
    stats = spawn(probe_stats, &reported);
    disp = spawn(probe_dispatcher, &told);
    auto i = spawn(intake, intake_config{drain_batch, 2, 10'000ms}, &queue, ops.size(), store,
                   disp, stats);
    queue.on_wake([i] { caf::anon_send(i, drain_atom::value); });
    return i;
  }

  std::size_t dispatched() const {
    std::size_t n = 0;
    for (const auto& d : told.dispatched)
      n += d.size();
    return n;
  }

  store_log stored;
  stats_log reported;
  dispatcher_log told;
  recorded_results results;
  stats_actor stats;
  dispatcher_actor disp;
};

TEST_F(Intake, AdmitsAnswersAndHandsOver) {
  start(spawn(probe_store, &stored));
  auto a = make_task("echo", "1");
  auto b = make_task("wordcount", "x y");
  auto c = make_task("echo", "2");
  ASSERT_TRUE(push({a, b}, &results));
  ASSERT_TRUE(push({c}, &results));
  run();

  // One admit for everything drained together, in submission order.
  ASSERT_EQ(stored.admits.size(), 1u);
  ASSERT_EQ(stored.admits[0].size(), 3u);
  EXPECT_EQ(stored.admits[0][0].id, a.id);
  EXPECT_EQ(stored.admits[0][0].status, task_status::queued);
  EXPECT_EQ(stored.admits[0][2].id, c.id);

  ASSERT_EQ(results.results.size(), 2u);
  EXPECT_EQ(results.results[0].outcome, kind::accepted);
  ASSERT_EQ(results.results[0].admissions.size(), 2u);
  EXPECT_EQ(results.results[0].admissions[1].id, b.id);
  ASSERT_EQ(results.results[1].admissions.size(), 1u);
  EXPECT_EQ(results.results[1].admissions[0].id, c.id);

  ASSERT_EQ(told.dispatched.size(), 1u);
  EXPECT_EQ(dispatched(), 3u);
  ASSERT_EQ(reported.reports.size(), 1u);
  EXPECT_EQ(reported.reports[0].by_op[op("echo")].submitted, 2u);
  EXPECT_EQ(reported.reports[0].by_op[op("wordcount")].submitted, 1u);
  // Accepted tasks stay in the backlog until the dispatcher hands them out.
  EXPECT_EQ(queue.backlog(), 3);
}

TEST_F(Intake, DrainsInRoundsOfDrainBatch) {
  start(spawn(probe_store, &stored), 2);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(push({make_task("echo")}, &results));
  run();
  ASSERT_EQ(stored.admits.size(), 3u); // 2 + 2 + 1 submissions
  EXPECT_EQ(results.results.size(), 5u);
  EXPECT_EQ(dispatched(), 5u);
  // Idle again: the next push wakes intake once more.
  ASSERT_TRUE(push({make_task("echo")}, &results));
  run();
  EXPECT_EQ(results.results.size(), 6u);
}

TEST_F(Intake, UnavailableWhenTheStoreDoesNotAnswerInTime) {
  start(spawn(silent_store));
  ASSERT_TRUE(push({make_task("echo"), make_task("echo")}, &results));
  run();
  EXPECT_TRUE(results.results.empty());
  EXPECT_EQ(queue.backlog(), 2);
  advance(10s); // admit_timeout
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(results.results[0].outcome, kind::unavailable);
  EXPECT_TRUE(results.results[0].admissions.empty());
  EXPECT_EQ(queue.backlog(), 0); // released: nothing was accepted
  EXPECT_TRUE(told.dispatched.empty());
}

TEST_F(Intake, UnavailableWhenTheStoreIsGone) {
  auto store = spawn(probe_store, &stored);
  start(store);
  caf::anon_send_exit(store, caf::exit_reason::kill);
  run();
  ASSERT_TRUE(push({make_task("echo")}, &results));
  run();
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(results.results[0].outcome, kind::unavailable);
  EXPECT_EQ(queue.backlog(), 0);
}

} // namespace
} // namespace taskmesh::actors_test

namespace taskmesh::actors_test {
namespace {

// While max_rounds_in_flight rounds wait for the store, intake drains no
// more; what arrives meanwhile goes out as one round when a round finishes.
// (A slow store, e.g. Valkey, then sees few large batches.)
TEST_F(Intake, ArrivalsDuringFullRoundsCoalesceIntoOneRound) {
  auto i = start(spawn(probe_store, &stored));
  auto drain_once = [&] {
    ASSERT_TRUE(sched.prioritize(i));
    sched.run_once();
  };
  ASSERT_TRUE(push({make_task("echo", "1")}, &results));
  drain_once(); // round 1 waits for the store
  ASSERT_TRUE(push({make_task("echo", "2")}, &results));
  drain_once(); // round 2 waits for the store
  ASSERT_TRUE(push({make_task("echo", "3")}, &results));
  drain_once(); // two rounds out: put off (without the limit: a round of its own)
  ASSERT_TRUE(push({make_task("echo", "4")}, &results));
  ASSERT_TRUE(push({make_task("echo", "5")}, &results));
  EXPECT_EQ(queue.backlog(), 5);
  run();
  ASSERT_EQ(stored.admits.size(), 3u);
  EXPECT_EQ(stored.admits[0].size(), 1u);
  EXPECT_EQ(stored.admits[1].size(), 1u);
  EXPECT_EQ(stored.admits[2].size(), 3u) << "3, 4 and 5 go out together";
  EXPECT_EQ(results.results.size(), 5u);
  EXPECT_EQ(dispatched(), 5u);
}

} // namespace
} // namespace taskmesh::actors_test
