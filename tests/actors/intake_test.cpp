// File: tests/actors/intake_test.cpp
// Intake against probe admission/stats/dispatcher actors: one admit per
// drain round with its deadline, answers in submission order, admitted
// tasks counted, the tasks the seam gives back handed to the dispatcher and
// the rest released from the backlog, refusals answered 503 per submission,
// and "unavailable" (with the backlog released) when the seam does not
// answer in time or is gone; with gathering (a cluster api pod), a few
// waiting tasks go out gather_wait later as one round, enough go at once.
// The cluster's ordering inside the seam:
// tests/transport/cluster/cluster_admission_test.cpp.
#include <gtest/gtest.h>

#include <optional>

#include "actors/intake.hpp"
#include "tests/actors/test_system.hpp"

namespace taskmesh::actors_test {
namespace {

using kind = submission_result::kind;

class Intake : public actor_test {
protected:
  intake_actor start(admission_actor seam, std::size_t drain_batch = 1024) {
    return start(seam, intake_config{drain_batch, 2, 10'000ms, 1'000ms});
  }
  intake_actor start(admission_actor seam, intake_config config) {
    stats = spawn(probe_stats, &reported);
    disp = spawn(probe_dispatcher, &told);
    auto i = spawn(intake, config, &queue, ops.size(), seam, disp, stats);
    queue.on_wake([i] { caf::anon_send(i, drain_atom::value); });
    return i;
  }

  std::size_t dispatched() const {
    std::size_t n = 0;
    for (const auto& d : told.dispatched)
      n += d.size();
    return n;
  }

  admission_actor probe(admission_script script = {}) {
    return spawn(probe_admission, &admitted, std::move(script));
  }

  admission_log admitted;
  stats_log reported;
  dispatcher_log told;
  recorded_results results;
  stats_actor stats;
  dispatcher_actor disp;
};

TEST_F(Intake, AdmitsAnswersAndHandsOver) {
  start(probe());
  auto a = make_task("echo", "1");
  auto b = make_task("wordcount", "x y");
  auto c = make_task("echo", "2");
  ASSERT_TRUE(push({a, b}, &results));
  ASSERT_TRUE(push({c}, &results));
  run();

  // One admit for everything drained together, in submission order, due
  // admit_timeout from now.
  ASSERT_EQ(admitted.rounds.size(), 1u);
  const auto& round = admitted.rounds[0];
  ASSERT_EQ(round.tasks.size(), 3u);
  EXPECT_EQ(round.tasks[0].id, a.id);
  EXPECT_EQ(round.tasks[1].payload, "x y");
  EXPECT_EQ(round.tasks[2].id, c.id);
  EXPECT_EQ(round.deadline, sched.clock().now() + 10s);

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
  start(probe(), 2);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(push({make_task("echo")}, &results));
  run();
  ASSERT_EQ(admitted.rounds.size(), 3u); // 2 + 2 + 1 submissions
  EXPECT_EQ(results.results.size(), 5u);
  EXPECT_EQ(dispatched(), 5u);
  // Idle again: the next push wakes intake once more.
  ASSERT_TRUE(push({make_task("echo")}, &results));
  run();
  EXPECT_EQ(results.results.size(), 6u);
}

TEST_F(Intake, UnavailableWhenTheSeamDoesNotAnswerInTime) {
  start(spawn(silent_admission));
  ASSERT_TRUE(push({make_task("echo"), make_task("echo")}, &results));
  run();
  EXPECT_TRUE(results.results.empty());
  EXPECT_EQ(queue.backlog(), 2);
  advance(10s); // the deadline: the seam may still be finishing a step it began
  EXPECT_TRUE(results.results.empty());
  advance(1s); // admit_grace
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(results.results[0].outcome, kind::unavailable);
  EXPECT_TRUE(results.results[0].admissions.empty());
  EXPECT_EQ(queue.backlog(), 0); // released: nothing was accepted
  EXPECT_TRUE(told.dispatched.empty());
}

TEST_F(Intake, UnavailableWhenTheSeamIsGone) {
  auto seam = probe();
  start(seam);
  caf::anon_send_exit(seam, caf::exit_reason::kill);
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
  auto i = start(probe());
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
  ASSERT_EQ(admitted.rounds.size(), 3u);
  EXPECT_EQ(admitted.rounds[0].tasks.size(), 1u);
  EXPECT_EQ(admitted.rounds[1].tasks.size(), 1u);
  EXPECT_EQ(admitted.rounds[2].tasks.size(), 3u) << "3, 4 and 5 go out together";
  EXPECT_EQ(results.results.size(), 5u);
  EXPECT_EQ(dispatched(), 5u);
}

// A cluster api pod's intake (one round in flight, gathering): after a
// round, the few tasks that arrived meanwhile wait gather_wait for more and
// go out as one round; fake time, so "waits" is exact.
class GatheringIntake : public Intake {
protected:
  intake_actor start_gathering() {
    intake_config config{1024, 1, 10'000ms, 1'000ms};
    config.gather_wait = 1ms;
    config.gather_min = 4;
    return start(probe(), config);
  }
  // Round 1 out (its answer not yet run), then `more` single tasks pushed.
  void round_out_then(intake_actor i, int more) {
    ASSERT_TRUE(push({make_task("echo", "first")}, &results));
    ASSERT_TRUE(sched.prioritize(i));
    sched.run_once(); // round 1 waits for the seam
    for (int k = 0; k < more; ++k)
      ASSERT_TRUE(push({make_task("echo", std::to_string(k))}, &results));
    run(); // round 1 answered; the drain the pushes asked for was put off
  }
};

TEST_F(GatheringIntake, FewWaitingTasksWaitGatherWaitAndGoTogether) {
  auto i = start_gathering();
  round_out_then(i, 2);
  ASSERT_EQ(admitted.rounds.size(), 1u) << "2 waiting < gather_min: no round yet";
  EXPECT_EQ(results.results.size(), 1u);
  ASSERT_TRUE(push({make_task("echo", "late")}, &results));
  run();
  EXPECT_EQ(admitted.rounds.size(), 1u);
  advance(1ms);
  ASSERT_EQ(admitted.rounds.size(), 2u);
  EXPECT_EQ(admitted.rounds[1].tasks.size(), 3u) << "the 2 waiting and the late one, together";
  EXPECT_EQ(results.results.size(), 4u);
}

TEST_F(GatheringIntake, EnoughWaitingTasksGoAtOnce) {
  auto i = start_gathering();
  round_out_then(i, 4);
  ASSERT_EQ(admitted.rounds.size(), 2u) << "4 waiting = gather_min: no wait";
  EXPECT_EQ(admitted.rounds[1].tasks.size(), 4u);
  EXPECT_EQ(results.results.size(), 5u);
}

} // namespace
} // namespace taskmesh::actors_test

namespace taskmesh::actors_test {
namespace {

// A cluster-like seam: it admits (and delivers) everything itself, gives
// nothing back; the first task is a duplicate of `original` if set.
admission_script delivers_itself(std::optional<task_id> original = std::nullopt) {
  return [original](admission_request& round) {
    admission_answer out;
    for (const auto& t : round.tasks)
      out.admissions.push_back(out.admissions.empty() && original
                                 ? admission{*original, task_status::running, true}
                                 : admission{t.id, task_status::queued, false});
    return out;
  };
}

TEST_F(Intake, TasksTheSeamKeepsLeaveTheBacklogAndAreNotDispatched) {
  const auto original = task_id::generate();
  start(probe(delivers_itself(original)));
  auto dup = make_task("echo", "again");
  dup.idempotency_key = "k";
  ASSERT_TRUE(push({dup, make_task("wordcount", "x")}, &results));
  run();
  EXPECT_TRUE(told.dispatched.empty());
  EXPECT_EQ(queue.backlog(), 0);
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(results.results[0].outcome, kind::accepted);
  const auto& answer = results.results[0].admissions;
  ASSERT_EQ(answer.size(), 2u);
  EXPECT_EQ(answer[0].id, original);
  EXPECT_TRUE(answer[0].duplicate);
  EXPECT_EQ(answer[0].status, task_status::running);
  EXPECT_FALSE(answer[1].duplicate);
  ASSERT_EQ(reported.reports.size(), 1u);
  EXPECT_EQ(reported.reports[0].by_op[op("echo")].submitted, 0u) << "the original counts it";
  EXPECT_EQ(reported.reports[0].by_op[op("wordcount")].submitted, 1u);
}

// A submission with a refused task is answered 503 as a whole (queue_full
// when one was refused for a full queue); the other submissions of the
// round are answered as admitted.
TEST_F(Intake, RefusalsAnswerTheirSubmissions) {
  start(probe([](admission_request& round) {
    admission_answer out;
    for (const auto& t : round.tasks) {
      auto why = admission::refusal::none;
      if (t.payload == "full")
        why = admission::refusal::queue_full;
      else if (t.payload == "down")
        why = admission::refusal::unavailable;
      out.admissions.push_back({t.id, task_status::queued, false, why});
    }
    return out;
  }));
  ASSERT_TRUE(push({make_task("echo", "ok"), make_task("echo", "full"), make_task("echo", "down")},
                   &results));
  ASSERT_TRUE(push({make_task("echo", "down")}, &results));
  ASSERT_TRUE(push({make_task("echo", "ok")}, &results));
  run();
  ASSERT_EQ(admitted.rounds.size(), 1u);
  ASSERT_EQ(results.results.size(), 3u);
  EXPECT_EQ(results.results[0].outcome, kind::queue_full);
  EXPECT_TRUE(results.results[0].admissions.empty());
  EXPECT_EQ(results.results[1].outcome, kind::unavailable);
  EXPECT_EQ(results.results[2].outcome, kind::accepted);
  ASSERT_EQ(reported.reports.size(), 1u);
  EXPECT_EQ(reported.reports[0].by_op[op("echo")].submitted, 1u);
  EXPECT_EQ(queue.backlog(), 0);
}

// An answer that does not match the round (a seam bug) is never passed on.
TEST_F(Intake, AnAnswerOutOfStepWithTheRoundIsRefused) {
  start(probe([](admission_request&) { return admission_answer{}; }));
  ASSERT_TRUE(push({make_task("echo")}, &results));
  run();
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(results.results[0].outcome, kind::unavailable);
  EXPECT_EQ(queue.backlog(), 0);
}

} // namespace
} // namespace taskmesh::actors_test
