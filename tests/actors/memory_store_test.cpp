// File: tests/actors/memory_store_test.cpp
// The embedded result store: admission in one step (idempotency keys,
// duplicates within one batch, new tasks given back with the run claim
// their record shares, a round past its deadline refused), updates (terminal is final), lookups, and its bounds: eviction
// of the oldest terminal records beyond max_records, expiry result_ttl after
// they finished, and the records gauge.
#include <gtest/gtest.h>

#include "actors/memory_store.hpp"
#include "actors/task_events.hpp"
#include "tests/actors/test_system.hpp"

namespace taskmesh::actors_test {
namespace {

class MemoryStore : public actor_test {
protected:
  memory_store_actor start(std::uint64_t max_records = 1000, std::chrono::milliseconds ttl = 3600s) {
    store = spawn(memory_store, store_config{max_records, ttl}, &gauges);
    return store;
  }

  task_record record(std::string key = "") {
    auto t = make_task("echo", "1");
    t.idempotency_key = std::move(key);
    return queued_record(t);
  }

  // The task a queued record was made from (what intake hands the seam).
  static task task_of(const task_record& r) {
    task t;
    t.id = r.id;
    t.op = r.op;
    t.prio = r.prio;
    t.max_attempts = r.max_attempts;
    t.submitted_at = r.submitted_at;
    t.idempotency_key = r.idempotency_key;
    t.tenant = r.tenant;
    t.payload = "1";
    return t;
  }

  admission_answer admit_round(const std::vector<task_record>& batch,
                               caf::timespan due_in = std::chrono::seconds(10)) {
    admission_request round;
    for (const auto& r : batch)
      round.tasks.push_back(task_of(r));
    round.deadline = sched.clock().now() + due_in;
    auto r = ask<admission_answer>(store, admit_atom::value, std::move(round));
    EXPECT_TRUE(r.value.has_value());
    return r.value.value_or(admission_answer{});
  }

  std::vector<admission> admit(const std::vector<task_record>& batch) {
    return admit_round(batch).admissions;
  }

  void update(std::vector<task_record> batch) {
    caf::anon_send(store, update_atom::value, std::move(batch));
    run();
  }

  // The record as a worker reports it at the end, finished at `finished_at`.
  static task_record finished(task_record r, task_status status = task_status::succeeded,
                              timestamp finished_at = now_us()) {
    r.status = status;
    r.attempts = 1;
    r.started_at = finished_at - 10;
    r.finished_at = finished_at;
    if (status == task_status::succeeded)
      r.result = R"({"payload":1})";
    else
      r.error = "boom";
    return r;
  }

  std::optional<task_record> get(const task_id& id) {
    auto r = ask<task_record>(store, get_atom::value, id);
    return r.value;
  }

  bool exists(const task_record& r) { return get(r.id).has_value(); }

  memory_store_actor store;
};

TEST_F(MemoryStore, AdmitRecordsTasksAsQueued) {
  start();
  auto a = record();
  auto b = record("key-b");
  const auto answers = admit({a, b});
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].id, a.id);
  EXPECT_EQ(answers[0].status, task_status::queued);
  EXPECT_FALSE(answers[0].duplicate);
  EXPECT_EQ(answers[1].id, b.id);
  EXPECT_FALSE(answers[1].duplicate);
  const auto stored = get(b.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, task_status::queued);
  EXPECT_EQ(stored->op, b.op);
  EXPECT_EQ(stored->submitted_at, b.submitted_at);
  EXPECT_EQ(stored->idempotency_key, "key-b");
  EXPECT_EQ(gauges.records.load(), 2);
}

// What the store admits comes back to run here, with the run claim its
// record shares (a cancel claims it first); duplicates do not.
TEST_F(MemoryStore, NewTasksComeBackWithTheirRecordsRunClaim) {
  start();
  auto original = record("k");
  auto again = record("k");
  auto plain = record();
  const auto answer = admit_round({original, again, plain});
  ASSERT_EQ(answer.admissions.size(), 3u);
  ASSERT_EQ(answer.run_here.size(), 2u);
  EXPECT_EQ(answer.run_here[0].id, original.id);
  EXPECT_EQ(answer.run_here[0].payload, "1");
  EXPECT_EQ(answer.run_here[1].id, plain.id);
  const auto stored = get(plain.id);
  ASSERT_TRUE(stored && stored->claim);
  EXPECT_EQ(stored->claim, answer.run_here[1].claim);
}

// Intake has answered 503 by the deadline: a round reached later records
// nothing and gives nothing back.
TEST_F(MemoryStore, ARoundPastItsDeadlineIsRefusedWhole) {
  start();
  auto r = record("late");
  const auto answer = admit_round({r, record()}, caf::timespan{0});
  ASSERT_EQ(answer.admissions.size(), 2u);
  for (const auto& a : answer.admissions)
    EXPECT_EQ(a.refused, admission::refusal::unavailable);
  EXPECT_TRUE(answer.run_here.empty());
  EXPECT_FALSE(exists(r));
  EXPECT_EQ(gauges.records.load(), 0);
  // The key was not taken: a retry is new.
  EXPECT_FALSE(admit({record("late")}).at(0).duplicate);
}

TEST_F(MemoryStore, RepeatedIdempotencyKeyIsADuplicateOfTheOriginal) {
  start();
  auto original = record("same");
  admit({original});
  auto again = record("same");
  auto answers = admit({again});
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].id, original.id);
  EXPECT_EQ(answers[0].status, task_status::queued);
  EXPECT_TRUE(answers[0].duplicate);
  EXPECT_FALSE(exists(again)); // nothing was created
  EXPECT_EQ(gauges.records.load(), 1);

  // The duplicate reports the original's current status.
  update({finished(original)});
  answers = admit({record("same")});
  EXPECT_EQ(answers.at(0).id, original.id);
  EXPECT_EQ(answers.at(0).status, task_status::succeeded);
  EXPECT_TRUE(answers.at(0).duplicate);
}

TEST_F(MemoryStore, DuplicateKeysWithinOneBatch) {
  start();
  auto first = record("k");
  auto second = record("k");
  auto other = record("other");
  auto no_key = record();
  const auto answers = admit({first, second, other, no_key});
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_EQ(answers[0].id, first.id);
  EXPECT_FALSE(answers[0].duplicate);
  EXPECT_EQ(answers[1].id, first.id);
  EXPECT_TRUE(answers[1].duplicate);
  EXPECT_EQ(answers[1].status, task_status::queued);
  EXPECT_EQ(answers[2].id, other.id);
  EXPECT_FALSE(answers[2].duplicate);
  EXPECT_EQ(answers[3].id, no_key.id);
  EXPECT_FALSE(answers[3].duplicate);
  EXPECT_FALSE(exists(second));
  EXPECT_EQ(gauges.records.load(), 3);
}

TEST_F(MemoryStore, UpdatesMoveARecordToTerminal) {
  start();
  auto r = record();
  admit({r});
  auto running = r;
  running.status = task_status::running;
  running.attempts = 1;
  running.started_at = now_us();
  update({running});
  EXPECT_EQ(get(r.id)->status, task_status::running);

  auto retry = running;
  retry.status = task_status::queued;
  retry.error = "transient";
  retry.next_attempt_at = now_us() + 100'000;
  update({retry});
  auto stored = get(r.id);
  EXPECT_EQ(stored->status, task_status::queued);
  EXPECT_EQ(stored->error, "transient");
  EXPECT_EQ(stored->next_attempt_at, retry.next_attempt_at);

  auto done = finished(r);
  done.attempts = 2;
  update({done});
  stored = get(r.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, task_status::succeeded);
  EXPECT_EQ(stored->attempts, 2);
  EXPECT_EQ(stored->result, R"({"payload":1})");
  EXPECT_EQ(stored->error, "");
  EXPECT_EQ(stored->next_attempt_at, 0);
  EXPECT_EQ(stored->finished_at, done.finished_at);
}

TEST_F(MemoryStore, TerminalIsFinal) {
  start();
  auto r = record();
  admit({r});
  update({finished(r, task_status::failed)});
  auto late = finished(r, task_status::succeeded);
  update({late});
  auto requeued = r;
  requeued.status = task_status::queued;
  update({requeued});
  const auto stored = get(r.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, task_status::failed);
  EXPECT_EQ(stored->error, "boom");
  EXPECT_EQ(stored->result, "");
}

TEST_F(MemoryStore, UpdateForUnknownIdIsIgnored) {
  start();
  update({finished(record())});
  EXPECT_EQ(gauges.records.load(), 0);
}

TEST_F(MemoryStore, GetUnknownIdIsNotFound) {
  start();
  auto r = ask<task_record>(store, get_atom::value, task_id::generate());
  EXPECT_FALSE(r.value);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->category(), caf::atom("taskmesh"));
  EXPECT_EQ(r.error->code(), static_cast<std::uint8_t>(errc::not_found));
}

TEST_F(MemoryStore, EvictsOldestTerminalRecordsBeyondMaxRecords) {
  start(3);
  auto a = record("key-a");
  auto b = record();
  auto c = record();
  admit({a, b, c});
  update({finished(b)}); // b finished first, then a
  update({finished(a)});
  EXPECT_EQ(gauges.records.load(), 3);

  auto d = record();
  admit({d}); // 4 > 3: the oldest terminal record (b) goes
  EXPECT_FALSE(exists(b));
  EXPECT_TRUE(exists(a));
  EXPECT_TRUE(exists(c));
  EXPECT_TRUE(exists(d));
  EXPECT_EQ(gauges.records.load(), 3);

  auto e = record();
  admit({e}); // then a, and its idempotency key with it
  EXPECT_FALSE(exists(a));
  EXPECT_EQ(gauges.records.load(), 3);
  auto reuse = record("key-a");
  const auto answers = admit({reuse});
  EXPECT_EQ(answers.at(0).id, reuse.id);
  EXPECT_FALSE(answers.at(0).duplicate);
}

TEST_F(MemoryStore, QueuedAndRunningRecordsAreNeverEvicted) {
  start(2);
  std::vector<task_record> batch;
  for (int i = 0; i < 5; ++i)
    batch.push_back(record());
  admit(batch);
  auto running = batch[0];
  running.status = task_status::running;
  update({running});
  EXPECT_EQ(gauges.records.load(), 5);
  for (const auto& r : batch)
    EXPECT_TRUE(exists(r));
  // Once they finish, the store shrinks back to its bound.
  for (const auto& r : batch)
    update({finished(r)});
  EXPECT_EQ(gauges.records.load(), 2);
  EXPECT_TRUE(exists(batch[3]));
  EXPECT_TRUE(exists(batch[4]));
}

TEST_F(MemoryStore, ExpiresTerminalRecordsAfterTtlOnSweep) {
  start(1000, 10s);
  auto old_done = record("old");
  auto fresh_done = record();
  auto old_queued = record();
  admit({old_done, fresh_done, old_queued});
  const auto now = now_us();
  update({finished(old_done, task_status::succeeded, now - 11'000'000)});
  update({finished(fresh_done, task_status::dead, now)});

  caf::anon_send(store, sweep_atom::value);
  run();
  EXPECT_FALSE(exists(old_done));
  EXPECT_TRUE(exists(fresh_done));
  EXPECT_TRUE(exists(old_queued)); // not terminal: never expires
  EXPECT_EQ(gauges.records.load(), 2);
  // The expired record's key is free again.
  auto reuse = record("old");
  EXPECT_FALSE(admit({reuse}).at(0).duplicate);
}

TEST_F(MemoryStore, SweepsEverySecondOnItsOwnTimer) {
  start(1000, 10s); // long TTLs: the sweep runs once a second
  auto r = record();
  admit({r});
  update({finished(r, task_status::succeeded, now_us() - 11'000'000)});
  advance(999ms);
  EXPECT_TRUE(exists(r));
  advance(1ms);
  EXPECT_FALSE(exists(r));
  EXPECT_EQ(gauges.records.load(), 0);
  // The sweep re-arms itself.
  auto s = record();
  admit({s});
  update({finished(s, task_status::succeeded, now_us() - 11'000'000)});
  advance(1s);
  EXPECT_FALSE(exists(s));
}

TEST_F(MemoryStore, ShortTtlIsSweptSooner) {
  start(1000, 200ms); // sweeps every ttl / 4
  auto r = record();
  admit({r});
  update({finished(r, task_status::failed, now_us() - 1'000'000)});
  advance(49ms);
  EXPECT_TRUE(exists(r));
  advance(1ms);
  EXPECT_FALSE(exists(r));
}

// -- cancel and live events ---------------------------------------------------------

class MemoryStoreCancel : public MemoryStore {
protected:
  memory_store_actor start_with_events() {
    store_config c{1000, 3600s};
    c.events = &hub;
    store = spawn(memory_store, c, &gauges);
    return store;
  }
  // A record admitted, with the run claim it shares with the task the
  // store gave back.
  task_record claimed() {
    auto r = record();
    auto answer = admit_round({r});
    EXPECT_EQ(answer.run_here.size(), 1u);
    if (!answer.run_here.empty())
      r.claim = answer.run_here.front().claim;
    return r;
  }
  cancel_result cancel(const task_id& id) {
    auto r = ask<cancel_result>(store, cancel_atom::value, id);
    EXPECT_TRUE(r.value.has_value());
    return r.value.value_or(cancel_result{});
  }
  task_event_hub hub;
};

TEST_F(MemoryStoreCancel, QueuedTaskIsCancelledAndStaysCancelled) {
  start();
  auto r = claimed();
  const auto c = cancel(r.id);
  EXPECT_EQ(c.outcome, cancel_result::kind::cancelled);
  EXPECT_EQ(c.record.status, task_status::cancelled);
  EXPECT_GT(c.record.finished_at, 0);
  EXPECT_FALSE(r.claim->try_start()); // the worker will drop it
  update({finished(r)});             // a late update changes nothing
  EXPECT_EQ(get(r.id)->status, task_status::cancelled);
  EXPECT_EQ(cancel(r.id).outcome, cancel_result::kind::not_cancellable);
}

TEST_F(MemoryStoreCancel, StartedOrFinishedTaskIsNotCancellable) {
  start();
  auto running = claimed();
  auto done = claimed();
  ASSERT_TRUE(running.claim->try_start()); // a worker is running its op
  const auto c = cancel(running.id);
  EXPECT_EQ(c.outcome, cancel_result::kind::not_cancellable);
  EXPECT_EQ(c.record.status, task_status::queued);
  update({finished(done)});
  EXPECT_EQ(cancel(done.id).outcome, cancel_result::kind::not_cancellable);
  EXPECT_EQ(cancel(record().id).outcome, cancel_result::kind::not_found);
}

TEST_F(MemoryStoreCancel, AppliedChangesGoLiveInOrder) {
  start_with_events();
  auto r = record();
  auto stream = hub.open("", [] {});
  hub.watch(*stream, r.id);
  r.claim = admit_round({r}).run_here.at(0).claim;
  auto retry = r;
  retry.attempts = 1;
  retry.next_attempt_at = now_us() + 1000;
  update({retry});
  update({retry}); // a repeat: not a transition
  cancel(r.id);
  update({finished(r)}); // ignored by the store: not published either
  std::vector<task_status> seen;
  for (const auto& e : stream->take())
    seen.push_back(e->status);
  EXPECT_EQ(seen, (std::vector<task_status>{task_status::queued, task_status::queued,
                                            task_status::cancelled}));
}

} // namespace
} // namespace taskmesh::actors_test
