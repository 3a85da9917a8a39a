// File: tests/actors/worker_test.cpp
// A worker against probe store/stats/dispatcher actors. Fake time drives the
// delay_ms timers and the retry backoff, so the 5 s delay below takes
// microseconds. Checked: what each outcome sends (one update, one report,
// one done per flush), the records' fields, and the retry/dead-letter path.
#include <gtest/gtest.h>

#include "actors/worker.hpp"
#include "tests/actors/test_system.hpp"

namespace taskmesh::actors_test {
namespace {

class Worker : public actor_test {
protected:
  Worker() {
    store = spawn(probe_store, &stored);
    stats = spawn(probe_stats, &reported);
    disp = spawn(probe_dispatcher, &told);
    w = spawn(worker, &ops, retry_policy{100ms, 30'000ms}, op_budget::limits{}, store, stats, disp);
  }

  void run_batch(std::vector<task> batch) {
    caf::anon_send(w, run_atom::value, std::move(batch));
    run();
  }

  op_tally totals(op_index i) const {
    op_tally sum;
    for (const auto& r : reported.reports) {
      if (r.by_op.size() <= i)
        continue;
      sum.submitted += r.by_op[i].submitted;
      sum.succeeded += r.by_op[i].succeeded;
      sum.failed += r.by_op[i].failed;
      sum.dead += r.by_op[i].dead;
      sum.retried += r.by_op[i].retried;
    }
    return sum;
  }

  std::uint32_t finished_total() const {
    std::uint32_t n = 0;
    for (const auto& d : told.done)
      n += d.finished;
    return n;
  }

  task with_attempts(task t, std::uint8_t max_attempts) {
    t.max_attempts = max_attempts;
    return t;
  }

  store_log stored;
  stats_log reported;
  dispatcher_log told;
  store_actor store;
  stats_actor stats;
  dispatcher_actor disp;
  worker_actor w;
};

TEST_F(Worker, EchoBatchSendsOneUpdateOneReportOneDone) {
  auto a = make_task("echo", R"("hello")");
  auto b = make_task("echo", R"({"x":[1,2]})", "", priority::high);
  b.idempotency_key = "key-b";
  auto c = make_task("echo", "null");
  const auto before = now_us();
  run_batch({a, b, c});
  const auto after = now_us();

  ASSERT_EQ(stored.updates.size(), 1u);
  const auto& u = stored.updates[0];
  ASSERT_EQ(u.size(), 3u);
  const std::string expected[] = {R"({"payload":"hello"})", R"({"payload":{"x":[1,2]}})",
                                  R"({"payload":null})"};
  const task* in[] = {&a, &b, &c};
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(u[i].id, in[i]->id);
    EXPECT_EQ(u[i].op, op("echo"));
    EXPECT_EQ(u[i].prio, in[i]->prio);
    EXPECT_EQ(u[i].status, task_status::succeeded);
    EXPECT_EQ(u[i].result, expected[i]);
    EXPECT_EQ(u[i].error, "");
    EXPECT_EQ(u[i].attempts, 1);
    EXPECT_EQ(u[i].max_attempts, 3);
    EXPECT_EQ(u[i].submitted_at, in[i]->submitted_at);
    EXPECT_GE(u[i].started_at, before);
    EXPECT_LE(u[i].started_at, u[i].finished_at);
    EXPECT_LE(u[i].finished_at, after);
    EXPECT_EQ(u[i].next_attempt_at, 0);
    EXPECT_EQ(u[i].idempotency_key, in[i]->idempotency_key);
  }

  ASSERT_EQ(reported.reports.size(), 1u);
  const auto& r = reported.reports[0];
  ASSERT_EQ(r.by_op.size(), ops.size());
  EXPECT_EQ(r.by_op[op("echo")].succeeded, 3u);
  EXPECT_EQ(r.by_op[op("echo")].retried, 0u);
  EXPECT_EQ(r.queue_wait_us.size(), 3u);
  EXPECT_EQ(r.processing_us.size(), 3u);

  ASSERT_EQ(told.done.size(), 1u);
  EXPECT_TRUE(told.done[0].worker == w);
  EXPECT_EQ(told.done[0].finished, 3u);
  EXPECT_TRUE(told.done[0].wants_work);
}

TEST_F(Worker, DelayedTaskRunsOnlyWhenItsTimerFires) {
  auto t = make_task("uppercase", "slow");
  t.delay_ms = 5000;
  run_batch({t});

  // At once: a running record, and the worker asks for more work.
  ASSERT_EQ(stored.updates.size(), 1u);
  ASSERT_EQ(stored.updates[0].size(), 1u);
  const auto& running = stored.updates[0][0];
  EXPECT_EQ(running.status, task_status::running);
  EXPECT_EQ(running.attempts, 1);
  EXPECT_GT(running.started_at, 0);
  EXPECT_EQ(running.finished_at, 0);
  ASSERT_EQ(told.done.size(), 1u);
  EXPECT_EQ(told.done[0].finished, 0u);
  EXPECT_TRUE(told.done[0].wants_work);

  advance(4999ms);
  EXPECT_EQ(stored.updates.size(), 1u) << "finished before its delay ran out";
  EXPECT_EQ(told.done.size(), 1u);
  EXPECT_EQ(totals(op("uppercase")).succeeded, 0u);

  advance(1ms);
  ASSERT_EQ(stored.updates.size(), 2u);
  ASSERT_EQ(stored.updates[1].size(), 1u);
  const auto& done = stored.updates[1][0];
  EXPECT_EQ(done.status, task_status::succeeded);
  EXPECT_EQ(done.result, R"({"text":"SLOW"})");
  EXPECT_EQ(done.attempts, 1);
  EXPECT_EQ(done.started_at, running.started_at);
  EXPECT_GE(done.finished_at, done.started_at);
  ASSERT_EQ(told.done.size(), 2u);
  EXPECT_EQ(told.done[1].finished, 1u);
  EXPECT_FALSE(told.done[1].wants_work); // it asked already when the batch came
  EXPECT_EQ(totals(op("uppercase")).succeeded, 1u);
}

// A cluster retry re-published by another worker arrives at once with the
// time its backoff ends (retry_at, wall clock): it starts no earlier.
TEST_F(Worker, RepublishedRetryWaitsForItsRetryAt) {
  auto t = make_task("uppercase", "later");
  t.attempts = 1; // one attempt made elsewhere
  t.retry_at = now_us() + 150'000;
  run_batch({t});
  EXPECT_TRUE(stored.updates.empty()) << "started before retry_at";
  ASSERT_EQ(told.done.size(), 1u);
  EXPECT_EQ(told.done[0].finished, 0u);
  EXPECT_TRUE(told.done[0].wants_work);
  advance(100ms); // fake time; retry_at is wall-clock time and still ahead
  EXPECT_TRUE(stored.updates.empty()) << "started before retry_at";
  // Once the wall clock passed retry_at, the next timer starts it.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (stored.updates.empty() && std::chrono::steady_clock::now() < deadline)
    advance(10ms);
  ASSERT_EQ(stored.updates.size(), 1u);
  const auto& done = stored.updates[0][0];
  EXPECT_EQ(done.status, task_status::succeeded);
  EXPECT_EQ(done.attempts, 2);
  EXPECT_GE(done.started_at, t.retry_at);
}

// Regression: flush() used to send the stats report only when by_op was
// non-empty or busy_ns > 0, then reset it anyway. A batch made only of
// delayed tasks runs no op before the run handler's flush, so its queue-wait
// samples were dropped and delayed tasks never showed in queue_wait.
TEST_F(Worker, QueueWaitIsSampledForDelayedTasks) {
  auto t = make_task("echo", "1");
  t.delay_ms = 100;
  run_batch({t});
  advance(100ms);
  ASSERT_EQ(totals(op("echo")).succeeded, 1u);
  std::size_t queue_wait_samples = 0;
  for (const auto& r : reported.reports)
    queue_wait_samples += r.queue_wait_us.size();
  EXPECT_EQ(queue_wait_samples, 1u) << "the delayed task's queue-wait sample was dropped";
}

TEST_F(Worker, TimersFiringTogetherAreFlushedAsOneMessage) {
  auto a = make_task("echo", "1");
  auto b = make_task("echo", "2");
  a.delay_ms = b.delay_ms = 250;
  run_batch({a, b});
  ASSERT_EQ(stored.updates.size(), 1u); // both running records in one update
  EXPECT_EQ(stored.updates[0].size(), 2u);
  advance(250ms);
  ASSERT_EQ(stored.updates.size(), 2u);
  EXPECT_EQ(stored.updates[1].size(), 2u);
  ASSERT_EQ(told.done.size(), 2u);
  EXPECT_EQ(told.done[1].finished, 2u);
}

TEST_F(Worker, TransientFailureIsRetriedAfterBackoffUntilItSucceeds) {
  auto t = make_task("fail", "x", R"({"transient":true,"times":2})");
  const auto before = now_us();
  run_batch({with_attempts(t, 3)});
  const auto after = now_us();

  // Attempt 1 failed: queued again, with the error and when it retries.
  ASSERT_EQ(stored.updates.size(), 1u);
  auto first = stored.updates[0].at(0);
  EXPECT_EQ(first.status, task_status::queued);
  EXPECT_EQ(first.attempts, 1);
  EXPECT_EQ(first.error, "fail: transient failure requested (attempt 1)");
  EXPECT_EQ(first.result, "");
  EXPECT_EQ(first.finished_at, 0);
  EXPECT_GT(first.started_at, 0);
  EXPECT_GE(first.next_attempt_at, before + 50'000);  // base 100 ms, jitter >= 50 %
  EXPECT_LE(first.next_attempt_at, after + 100'000);
  ASSERT_EQ(told.done.size(), 1u);
  EXPECT_EQ(told.done[0].finished, 0u); // still in flight
  EXPECT_EQ(totals(op("fail")).retried, 1u);

  advance(49ms); // the backoff is at least 50 ms
  EXPECT_EQ(stored.updates.size(), 1u);

  advance(51ms); // ... and at most 100 ms: attempt 2 fails too
  ASSERT_EQ(stored.updates.size(), 2u);
  auto second = stored.updates[1].at(0);
  EXPECT_EQ(second.status, task_status::queued);
  EXPECT_EQ(second.attempts, 2);
  EXPECT_EQ(second.error, "fail: transient failure requested (attempt 2)");
  EXPECT_EQ(second.started_at, first.started_at); // first start is kept
  EXPECT_GT(second.next_attempt_at, 0);
  EXPECT_EQ(totals(op("fail")).retried, 2u);
  EXPECT_EQ(told.done.size(), 1u); // nothing finished, no done

  advance(99ms); // second backoff: 100..200 ms
  EXPECT_EQ(stored.updates.size(), 2u);

  advance(101ms); // attempt 3 succeeds
  ASSERT_EQ(stored.updates.size(), 3u);
  auto last = stored.updates[2].at(0);
  EXPECT_EQ(last.status, task_status::succeeded);
  EXPECT_EQ(last.attempts, 3);
  EXPECT_EQ(last.result, R"({"attempt":3})");
  EXPECT_EQ(last.error, "");
  EXPECT_EQ(last.next_attempt_at, 0);
  EXPECT_GT(last.finished_at, 0);
  EXPECT_EQ(finished_total(), 1u);
  const auto tally = totals(op("fail"));
  EXPECT_EQ(tally.retried, 2u);
  EXPECT_EQ(tally.succeeded, 1u);
  EXPECT_EQ(tally.dead, 0u);
}

TEST_F(Worker, PermanentFailureFailsAtOnce) {
  run_batch({make_task("fail", "x")});
  ASSERT_EQ(stored.updates.size(), 1u);
  const auto& r = stored.updates[0].at(0);
  EXPECT_EQ(r.status, task_status::failed);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.error, "fail: permanent failure requested");
  EXPECT_EQ(r.result, "");
  EXPECT_GT(r.finished_at, 0);
  EXPECT_EQ(totals(op("fail")).failed, 1u);
  EXPECT_EQ(totals(op("fail")).retried, 0u);
  ASSERT_EQ(told.done.size(), 1u);
  EXPECT_EQ(told.done[0].finished, 1u);
  advance(60s);
  EXPECT_EQ(stored.updates.size(), 1u); // no retry scheduled
}

TEST_F(Worker, TransientFailureForeverEndsDead) {
  run_batch({with_attempts(make_task("fail", "x", R"({"transient":true})"), 3)});
  advance(100ms);
  advance(200ms);
  const auto updates = stored.all_updates();
  ASSERT_EQ(updates.size(), 3u);
  EXPECT_EQ(updates[0].status, task_status::queued);
  EXPECT_EQ(updates[1].status, task_status::queued);
  const auto& dead = updates[2];
  EXPECT_EQ(dead.status, task_status::dead);
  EXPECT_EQ(dead.attempts, dead.max_attempts);
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_EQ(dead.error, "fail: transient failure requested (attempt 3)");
  EXPECT_EQ(dead.next_attempt_at, 0);
  const auto tally = totals(op("fail"));
  EXPECT_EQ(tally.retried, 2u);
  EXPECT_EQ(tally.dead, 1u);
  EXPECT_EQ(tally.succeeded + tally.failed, 0u);
  EXPECT_EQ(finished_total(), 1u);
  advance(60s);
  EXPECT_EQ(stored.all_updates().size(), 3u); // dead is the end
}

TEST_F(Worker, SingleAttemptTransientFailureIsDeadWithoutRetry) {
  run_batch({with_attempts(make_task("fail", "x", R"({"transient":true})"), 1)});
  const auto updates = stored.all_updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].status, task_status::dead);
  EXPECT_EQ(updates[0].attempts, 1);
  EXPECT_EQ(totals(op("fail")).retried, 0u);
}

TEST_F(Worker, MixedBatchReportsEachOutcome) {
  auto slow = make_task("echo", "1");
  slow.delay_ms = 10;
  run_batch({make_task("echo", "2"), make_task("fail", "x"),
             with_attempts(make_task("fail", "x", R"({"transient":true})"), 2), slow,
             make_task("wordcount", "a b c")});
  ASSERT_EQ(told.done.size(), 1u);
  EXPECT_EQ(told.done[0].finished, 3u); // echo, failed, wordcount
  advance(10ms); // the delayed echo
  advance(200ms); // the retry: dead after attempt 2
  EXPECT_EQ(finished_total(), 5u);
  EXPECT_EQ(totals(op("echo")).succeeded, 2u);
  EXPECT_EQ(totals(op("wordcount")).succeeded, 1u);
  EXPECT_EQ(totals(op("fail")).failed, 1u);
  EXPECT_EQ(totals(op("fail")).dead, 1u);
  EXPECT_EQ(totals(op("fail")).retried, 1u);
  // Every task ended with exactly one terminal record.
  std::size_t terminal = 0;
  for (const auto& r : stored.all_updates())
    terminal += is_terminal(r.status) ? 1 : 0;
  EXPECT_EQ(terminal, 5u);
}

TEST_F(Worker, ParamsReachTheOp) {
  run_batch({make_task("replace", "a-b-c", R"({"find":"-","replace":"+"})")});
  const auto updates = stored.all_updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].status, task_status::succeeded);
  EXPECT_EQ(updates[0].result, R"({"text":"a+b+c","replacements":2})");
}


// A receipt that counts how it was settled.
struct counting_receipt : task_receipt {
  int* acked;
  explicit counting_receipt(int* a) : acked(a) {}
  void done() noexcept override { ++*acked; }
  void retry_after(std::uint32_t) noexcept override {}
  void dead_letter() noexcept override {}
  void in_progress() noexcept override {}
};

// A store that takes every write and never answers it (a stalled Valkey).
store_actor::behavior_type mute_store(store_actor::pointer, store_log* log) {
  return {
    [=](update_atom, std::vector<task_record>& batch) -> caf::delegated<void> {
      log->updates.push_back(batch);
      return {};
    },
    [=](get_atom, const task_id&) -> caf::result<task_record> {
      return caf::make_error(errc::not_found);
    },
    [=](cancel_atom, const task_id&) { return cancel_result{}; },
    [=](sweep_atom) {},
  };
}

// Writes go out without a CAF request timeout (actors/request_deadlines.hpp);
// a write the store never answers is given up on after store_timeout: the
// tasks' slots are freed, their receipts are not settled (the transport
// redelivers them), and nothing is reported twice.
TEST_F(Worker, AWriteTheStoreNeverAnswersFreesItsSlotsAfterTheStoreTimeout) {
  store_log mute_log;
  auto stalled = spawn(mute_store, &mute_log);
  auto lone = spawn(worker, &ops, retry_policy{100ms, 30'000ms}, op_budget::limits{}, stalled,
                    stats, disp);
  int acked = 0;
  auto t = make_task("echo", R"("x")");
  t.receipt = std::make_shared<counting_receipt>(&acked);
  caf::anon_send(lone, run_atom::value, std::vector<task>{t});
  run();
  ASSERT_EQ(mute_log.updates.size(), 1u);
  EXPECT_EQ(finished_total(), 0u) << "slots freed before the store answered or timed out";

  advance(9s);
  EXPECT_EQ(finished_total(), 0u) << "given up on before store_timeout (10 s)";
  advance(1s);
  EXPECT_EQ(finished_total(), 1u);
  EXPECT_EQ(acked, 0) << "a receipt was settled although its record was never stored";
  advance(30s);
  EXPECT_EQ(finished_total(), 1u) << "the same write expired twice";
}

TEST_F(Worker, AnAnsweredWriteNeverExpiresLater) {
  int acked = 0;
  auto t = make_task("echo", R"("x")");
  t.receipt = std::make_shared<counting_receipt>(&acked);
  run_batch({t});
  EXPECT_EQ(finished_total(), 1u);
  EXPECT_EQ(acked, 1);
  advance(30s);
  EXPECT_EQ(finished_total(), 1u);
  EXPECT_EQ(acked, 1);
}

} // namespace
} // namespace taskmesh::actors_test
