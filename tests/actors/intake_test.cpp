// File: tests/actors/intake_test.cpp
// Intake against probe store/stats/dispatcher actors: one admit per drain
// round, answers in submission order, accepted tasks counted and handed to
// the dispatcher, and "unavailable" (with the backlog released) when the
// store does not answer in time or is gone. The cluster order: a store that
// only reserves ids gets `record` for what the sink took, under the id it
// reserved, and nothing for what the sink refused.
#include <gtest/gtest.h>

#include <optional>

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

namespace taskmesh::actors_test {
namespace {

// A cluster-like store: admit reserves (recorded = false); if `reserved` is
// set, the first task is a duplicate of that earlier, unrecorded claim;
// record answers `recorded_status`, or fails if `record_fails`.
struct reserving {
  store_log* log;
  std::optional<task_id> reserved;
  bool record_fails = false;
  task_status recorded_status = task_status::queued;
};

store_actor::behavior_type reserving_store(store_actor::pointer, reserving how) {
  return {
    [=](admit_atom, std::vector<task_record>& batch) {
      how.log->admits.push_back(batch);
      std::vector<admission> out;
      for (const auto& r : batch)
        out.push_back(out.empty() && how.reserved
                        ? admission{*how.reserved, task_status::queued, true, false}
                        : admission{r.id, task_status::queued, false, false});
      return out;
    },
    [=](record_atom, std::vector<task_record>& batch) -> caf::result<std::vector<admission>> {
      how.log->recorded.push_back(batch);
      if (how.record_fails)
        return caf::make_error(errc::unavailable);
      std::vector<admission> out;
      for (const auto& r : batch)
        out.push_back({r.id, how.recorded_status, false});
      return out;
    },
    [=](update_atom, std::vector<task_record>&) {},
    [=](forget_atom, std::vector<task_id>& ids) { how.log->forgotten.push_back(ids); },
    [=](get_atom, const task_id&) -> caf::result<task_record> {
      return caf::make_error(errc::not_found);
    },
    [=](cancel_atom, const task_id&) { return cancel_result{}; }, // not used here
    [=](sweep_atom) {},
  };
}

// JetStream refusing everything (e.g. NATS down).
dispatcher_actor::behavior_type refusing_sink(dispatcher_actor::pointer, dispatcher_log* log) {
  return {
    [=](dispatch_atom, std::vector<task>& tasks) {
      log->dispatched.push_back(tasks);
      dispatch_answer answer;
      for (const auto& t : tasks)
        answer.refused.push_back(t.id);
      return answer;
    },
    [=](done_atom, worker_actor&, std::uint32_t, bool) {},
  };
}

TEST_F(Intake, ReservedTasksAreRecordedOnceTheSinkTookThem) {
  start(spawn(reserving_store, reserving{&stored, std::nullopt}));
  auto a = make_task("echo", "1");
  auto b = make_task("wordcount", "x y");
  ASSERT_TRUE(push({a, b}, &results));
  run();
  ASSERT_EQ(told.dispatched.size(), 1u);
  ASSERT_EQ(stored.recorded.size(), 1u);
  ASSERT_EQ(stored.recorded[0].size(), 2u);
  EXPECT_EQ(stored.recorded[0][0].id, a.id);
  EXPECT_EQ(stored.recorded[0][1].id, b.id);
  EXPECT_EQ(stored.recorded[0][1].status, task_status::queued);
  EXPECT_EQ(stored.recorded[0][1].op, op("wordcount"));
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(results.results[0].outcome, kind::accepted);
}

TEST_F(Intake, EmbeddedAdmissionsAreNeverRecordedAgain) {
  start(spawn(probe_store, &stored));
  ASSERT_TRUE(push({make_task("echo")}, &results));
  run();
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_TRUE(stored.recorded.empty());
}

// The retry of a request that claimed the key and may have died before
// publishing: published again under the claim's id, answered as a duplicate.
TEST_F(Intake, AnUnrecordedDuplicateIsPublishedUnderTheOriginalId) {
  const auto earlier = task_id::generate();
  start(spawn(reserving_store, reserving{&stored, earlier}));
  auto retry = make_task("echo", "again");
  retry.idempotency_key = "k";
  ASSERT_TRUE(push({retry}, &results));
  run();
  ASSERT_EQ(told.dispatched.size(), 1u);
  EXPECT_EQ(told.dispatched[0].at(0).id, earlier);
  EXPECT_EQ(told.dispatched[0].at(0).payload, "again");
  ASSERT_EQ(stored.recorded.size(), 1u);
  EXPECT_EQ(stored.recorded[0].at(0).id, earlier);
  EXPECT_EQ(stored.recorded[0].at(0).idempotency_key, "k");
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(results.results[0].outcome, kind::accepted);
  EXPECT_EQ(results.results[0].admissions.at(0).id, earlier);
  EXPECT_TRUE(results.results[0].admissions.at(0).duplicate);
  ASSERT_EQ(reported.reports.size(), 1u);
  EXPECT_EQ(reported.reports[0].by_op[op("echo")].submitted, 0u) << "the original counts it";
}

// As in embedded mode: a 202 for a new task says "queued", even when a
// fast worker finished it before its queued record was written.
TEST_F(Intake, ANewTaskIsAnsweredQueuedEvenIfAWorkerFinishedIt) {
  start(spawn(reserving_store,
              reserving{&stored, std::nullopt, false, task_status::succeeded})); // a fast worker
  ASSERT_TRUE(push({make_task("echo")}, &results));
  run();
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_FALSE(results.results[0].admissions.at(0).duplicate);
  EXPECT_EQ(results.results[0].admissions.at(0).status, task_status::queued);
}

// A duplicate tells the original's current status, also when it was taken
// over (published again under the original id).
TEST_F(Intake, ATakenOverDuplicateIsAnsweredWithItsRecordedStatus) {
  start(spawn(reserving_store, reserving{&stored, task_id::generate(), false,
                                         task_status::succeeded}));
  auto retry = make_task("echo");
  retry.idempotency_key = "k";
  ASSERT_TRUE(push({retry}, &results));
  run();
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_TRUE(results.results[0].admissions.at(0).duplicate);
  EXPECT_EQ(results.results[0].admissions.at(0).status, task_status::succeeded);
}

// The sink holds the task (durable), so a failed record is no reason to
// refuse it: its worker writes the record.
TEST_F(Intake, AFailedRecordStillAccepts) {
  start(spawn(reserving_store, reserving{&stored, std::nullopt, true}));
  ASSERT_TRUE(push({make_task("echo")}, &results));
  run();
  ASSERT_EQ(stored.recorded.size(), 1u);
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(results.results[0].outcome, kind::accepted);
  EXPECT_TRUE(stored.forgotten.empty());
}

TEST_F(Intake, WhatTheSinkRefusedIsNeverRecorded) {
  stats = spawn(probe_stats, &reported);
  auto sink = spawn(refusing_sink, &told);
  auto store = spawn(reserving_store, reserving{&stored, std::nullopt});
  auto i = spawn(intake, intake_config{}, &queue, ops.size(), store, sink, stats);
  queue.on_wake([i] { caf::anon_send(i, drain_atom::value); });
  auto t = make_task("echo");
  ASSERT_TRUE(push({t}, &results));
  run();
  EXPECT_TRUE(stored.recorded.empty());
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(results.results[0].outcome, kind::unavailable);
  ASSERT_EQ(stored.forgotten.size(), 1u);
  EXPECT_EQ(stored.forgotten[0].at(0), t.id);
}

} // namespace
} // namespace taskmesh::actors_test
