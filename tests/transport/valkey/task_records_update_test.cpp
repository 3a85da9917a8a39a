// File: tests/transport/valkey/task_records_update_test.cpp
// update against a real server: queued -> running -> terminal, terminal is
// final, a double terminal write leaves one record and counts once, lower
// attempts and earlier stages are stale, retries counted once per attempt,
// counters per op, an update that arrives before admit, and a delayed task's
// delay and attempt start.
#include "tests/transport/valkey/valkey_fixture.hpp"

namespace taskmesh::valkey::testing {
namespace {

TEST_F(RecordsTest, QueuedRunningTerminalProgression) {
  const task_record r = make_record();
  admit_one(r);
  EXPECT_EQ(update_one(advanced(r, task_status::running, 1)), update_outcome::applied);
  EXPECT_EQ(stored(r.id).record.status, task_status::running);
  EXPECT_EQ(update_one(advanced(r, task_status::succeeded, 1)), update_outcome::first_terminal);
  const stored_record s = stored(r.id);
  EXPECT_EQ(s.record.status, task_status::succeeded);
  EXPECT_EQ(s.record.result, R"({"words":3})");
  EXPECT_EQ(s.record.attempts, 1);
  EXPECT_GT(s.record.finished_at, 0);
}

// A delayed task's record carries what a stream's progress needs: the
// delay from admission on, and each attempt's start from its running write.
TEST_F(RecordsTest, DelayedTaskStoresItsDelayAndEachAttemptStart) {
  task_record r = make_record();
  r.delay_ms = 3000;
  admit_one(r);
  EXPECT_EQ(stored(r.id).record.delay_ms, 3000u);
  EXPECT_EQ(stored(r.id).record.attempt_started_at, 0);
  for (std::uint8_t attempt = 1; attempt <= 2; ++attempt) {
    task_record running = advanced(r, task_status::running, attempt);
    running.delay_ms = r.delay_ms;
    running.attempt_started_at = r.submitted_at + 1000 * attempt;
    ASSERT_EQ(update_one(running), update_outcome::applied);
    const stored_record s = stored(r.id);
    EXPECT_EQ(s.record.delay_ms, 3000u);
    EXPECT_EQ(s.record.attempt_started_at, running.attempt_started_at) << "attempt " << int(attempt);
  }
}

TEST_F(RecordsTest, TerminalRecordIsFinal) {
  const task_record r = make_record();
  admit_one(r);
  ASSERT_EQ(update_one(advanced(r, task_status::failed, 1)), update_outcome::first_terminal);
  for (const task_record& late :
       {advanced(r, task_status::running, 2), advanced(r, task_status::queued, 3, now_us()),
        advanced(r, task_status::succeeded, 3), advanced(r, task_status::dead, 1)}) {
    EXPECT_EQ(update_one(late), update_outcome::already_terminal);
  }
  const stored_record s = stored(r.id);
  EXPECT_EQ(s.record.status, task_status::failed);
  EXPECT_EQ(s.record.attempts, 1);
  EXPECT_EQ(s.record.error, "boom");
  const auto c = ok(records->counters());
  EXPECT_EQ(c.failed, 1);
  EXPECT_EQ(c.succeeded, 0);
  EXPECT_EQ(c.dead, 0);
}

TEST_F(RecordsTest, DoubleTerminalWriteLeavesOneRecordCountedOnce) {
  const task_record r = make_record();
  admit_one(r);
  // Redelivery: two workers finish the same task, in one batch and again later.
  const std::vector<task_record> twice{advanced(r, task_status::succeeded, 1),
                                       advanced(r, task_status::succeeded, 1)};
  const auto out = ok(records->update(writes(twice, "echo"))).outcomes;
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], update_outcome::first_terminal);
  EXPECT_EQ(out[1], update_outcome::already_terminal);
  EXPECT_EQ(update_one(advanced(r, task_status::succeeded, 1)), update_outcome::already_terminal);

  EXPECT_EQ(ok(records->count_records()), 1);
  const auto c = ok(records->counters());
  EXPECT_EQ(c.succeeded, 1);
  EXPECT_EQ(c.processed, 1);
  EXPECT_EQ(c.by_type.at("echo").succeeded, 1);
}

// The per-task execution counters taskmesh-verify reads (docs/chaos.md):
// every written outcome counts as an execution, refused or not; only the
// first terminal write counts as a commit.
TEST_F(RecordsTest, ExecutionCountersCountEveryOutcomeButOneCommit) {
  const task_record r = make_record();
  admit_one(r);
  using counts_t = std::pair<std::int64_t, std::int64_t>; // executions, commits
  const auto counts = [&] {
    const stored_record s = stored(r.id);
    return counts_t{s.executions, s.commits};
  };
  ASSERT_EQ(update_one(advanced(r, task_status::running, 1)), update_outcome::applied);
  EXPECT_EQ(counts(), counts_t(0, 0)) << "starting a delayed attempt runs nothing yet";
  ASSERT_EQ(update_one(advanced(r, task_status::queued, 1, now_us() + 1000)),
            update_outcome::applied);
  EXPECT_EQ(counts(), counts_t(1, 0));
  ASSERT_EQ(update_one(advanced(r, task_status::succeeded, 2)), update_outcome::first_terminal);
  // A zombie's result of the first attempt, and a redelivered run's result.
  EXPECT_EQ(update_one(advanced(r, task_status::succeeded, 1)), update_outcome::already_terminal);
  EXPECT_EQ(update_one(advanced(r, task_status::succeeded, 3)), update_outcome::already_terminal);
  EXPECT_EQ(counts(), counts_t(4, 1));
  EXPECT_EQ(stored(r.id).record.status, task_status::succeeded);
  EXPECT_GT(server->admin_integer({"PTTL", records->record_key(r.id)}), 0)
    << "a refused outcome's count keeps the record's expiry";
}

// Something else under a task's key (another program's data, a hand edit)
// fails the call with a message naming the key, and is left as it was:
// neither script takes it apart as a record or writes over it.
TEST_F(RecordsTest, AValueThatIsNoRecordFailsTheCallAndStays) {
  const task_record r = make_record();
  const std::string key = records->record_key(r.id);
  server->admin({"SET", key, "queued|not|a|record"});
  const record_write update{advanced(r, task_status::succeeded, 1), "echo"};
  const auto updated = records->update({&update, 1});
  ASSERT_FALSE(updated);
  EXPECT_NE(updated.err().message.find(key + " does not hold a task record"), std::string::npos)
    << updated.err().message;
  const record_write admit{r, "echo"};
  const auto admitted = records->admit({&admit, 1});
  ASSERT_FALSE(admitted);
  EXPECT_NE(admitted.err().message.find(key + " does not hold a task record"), std::string::npos)
    << admitted.err().message;
  EXPECT_EQ(string_of(server->admin({"GET", key}).get()).value_or("(none)"), "queued|not|a|record");
}

TEST_F(RecordsTest, LowerAttemptsAreStale) {
  const task_record r = make_record();
  admit_one(r);
  ASSERT_EQ(update_one(advanced(r, task_status::running, 2)), update_outcome::applied);
  EXPECT_EQ(update_one(advanced(r, task_status::running, 1)), update_outcome::stale);
  EXPECT_EQ(update_one(advanced(r, task_status::queued, 1, now_us())), update_outcome::stale);
  EXPECT_EQ(update_one(advanced(r, task_status::queued, 0)), update_outcome::stale);
  EXPECT_EQ(stored(r.id).record.attempts, 2);
  EXPECT_EQ(stored(r.id).record.status, task_status::running);
}

TEST_F(RecordsTest, StagesWithinAnAttemptOnlyMoveForward) {
  const task_record r = make_record();
  admit_one(r);
  ASSERT_EQ(update_one(advanced(r, task_status::running, 1)), update_outcome::applied);
  const timestamp retry_at = now_us() + 100'000;
  ASSERT_EQ(update_one(advanced(r, task_status::queued, 1, retry_at)), update_outcome::applied);
  // A late "running" of the same attempt (redelivered) must not hide the retry.
  EXPECT_EQ(update_one(advanced(r, task_status::running, 1)), update_outcome::stale);
  // Nor may the admit-time "queued" state come back.
  EXPECT_EQ(update_one(advanced(r, task_status::queued, 1)), update_outcome::stale);
  const stored_record s = stored(r.id);
  EXPECT_EQ(s.record.status, task_status::queued);
  EXPECT_EQ(s.record.next_attempt_at, retry_at);
  // The retry's own attempt starts.
  EXPECT_EQ(update_one(advanced(r, task_status::running, 2)), update_outcome::applied);
  // The same state again (e.g. a resent batch) is applied and harmless.
  EXPECT_EQ(update_one(advanced(r, task_status::running, 2)), update_outcome::applied);
  EXPECT_EQ(update_one(advanced(r, task_status::dead, 2)), update_outcome::first_terminal);
}

TEST_F(RecordsTest, RetriedCountedOncePerAttempt) {
  const task_record r = make_record();
  admit_one(r, "fail");
  const timestamp at = now_us() + 50'000;
  EXPECT_EQ(update_one(advanced(r, task_status::queued, 1, at), "fail"), update_outcome::applied);
  EXPECT_EQ(update_one(advanced(r, task_status::queued, 1, at), "fail"), update_outcome::applied);
  EXPECT_EQ(ok(records->counters()).retried, 1); // the same retry, written twice
  EXPECT_EQ(update_one(advanced(r, task_status::queued, 2, at), "fail"), update_outcome::applied);
  EXPECT_EQ(update_one(advanced(r, task_status::dead, 3), "fail"), update_outcome::first_terminal);
  const auto c = ok(records->counters());
  EXPECT_EQ(c.retried, 2);
  EXPECT_EQ(c.dead, 1);
  EXPECT_EQ(c.by_type.at("fail"), (type_counters{1, 0, 0, 1, 2}));
}

TEST_F(RecordsTest, UpdateBeforeAdmitCreatesTheRecordAndCountsIt) {
  const task_record r = make_record();
  EXPECT_EQ(update_one(advanced(r, task_status::running, 1)), update_outcome::applied);
  EXPECT_EQ(stored(r.id).record.status, task_status::running);
  EXPECT_EQ(ok(records->count_records()), 1);
  EXPECT_EQ(server->admin_integer({"PTTL", records->record_key(r.id)}), -1);
  const auto c = ok(records->counters());
  EXPECT_EQ(c.submitted, 1);
  ASSERT_EQ(c.by_type.count("echo"), 1u) << "the op is listed although admit never ran";
  EXPECT_EQ(c.by_type.at("echo").submitted, 1);
  admit_one(r); // the admit that comes later counts nothing more
  EXPECT_EQ(ok(records->counters()).submitted, 1);
}

// A task's terminal outcome onto the record admit wrote is the common case,
// which the script writes as the worker sent it; every other case is worked
// out from the stored header. Both must give the same value: the same
// outcome written before admit (no stored record: the general rules) must
// store what the common case stored, counters and expiry included.
TEST_F(RecordsTest, TheCommonCaseWritesWhatTheGeneralRulesWrite) {
  const task_record common = make_record();
  const task_record done = advanced(common, task_status::succeeded, 1);
  task_record general = done; // the same outcome of another task
  general.id = task_id::generate();
  admit_one(common);
  ASSERT_EQ(update_one(done), update_outcome::first_terminal);
  ASSERT_EQ(update_one(general), update_outcome::first_terminal);
  const auto value = [&](const task_record& r) {
    return std::string(
      string_of(server->admin({"GET", records->record_key(r.id)}).get()).value_or("(none)"));
  };
  EXPECT_EQ(value(common), value(general));
  const stored_record s = stored(common.id);
  EXPECT_EQ(s.executions, 1);
  EXPECT_EQ(s.commits, 1);
  for (const task_id& id : {common.id, general.id})
    EXPECT_GT(server->admin_integer({"PTTL", records->record_key(id)}), 50'000);
  const auto c = ok(records->counters());
  EXPECT_EQ(c.submitted, 2);
  EXPECT_EQ(c.succeeded, 2);
  EXPECT_EQ(c.processed, 2);
  EXPECT_EQ(ok(records->count_records()), 2);
}

// Every redelivery stamps its own start; the record keeps the first one
// (GET /task's started_at is the first attempt's start).
TEST_F(RecordsTest, StartedAtStaysTheFirstAttemptsStart) {
  const task_record r = make_record();
  admit_one(r);
  task_record first = advanced(r, task_status::running, 1);
  first.started_at = 1'000;
  update_one(first);
  task_record waiting = advanced(r, task_status::queued, 1, 5'000);
  waiting.started_at = 1'000;
  update_one(waiting);
  task_record second = advanced(r, task_status::running, 2);
  second.started_at = 9'000;
  update_one(second);
  EXPECT_EQ(stored(r.id).record.started_at, 1'000);
  task_record done = advanced(r, task_status::succeeded, 2);
  done.started_at = 9'000;
  ASSERT_EQ(update_one(done), update_outcome::first_terminal);
  const stored_record s = stored(r.id);
  EXPECT_EQ(s.record.started_at, 1'000);
  EXPECT_EQ(s.record.attempts, 2);
  EXPECT_EQ(s.record.finished_at, done.finished_at);
}

TEST_F(RecordsTest, CountersPerType) {
  std::vector<task_record> echo{make_record(), make_record()}, sha{make_record()},
    fail{make_record()}, words{make_record()};
  ok(records->admit(writes(echo, "echo")));
  ok(records->admit(writes(sha, "sha256")));
  ok(records->admit(writes(fail, "fail")));
  ok(records->admit(writes(words, "wordcount")));
  std::vector<task_record> done{advanced(echo[0], task_status::succeeded, 1),
                                advanced(echo[1], task_status::succeeded, 1)};
  ok(records->update(writes(done, "echo")));
  update_one(advanced(sha[0], task_status::failed, 1), "sha256");
  update_one(advanced(fail[0], task_status::queued, 1, now_us()), "fail");
  update_one(advanced(fail[0], task_status::dead, 2), "fail");

  const auto c = ok(records->counters());
  EXPECT_EQ(c.submitted, 5);
  EXPECT_EQ(c.succeeded, 2);
  EXPECT_EQ(c.failed, 1);
  EXPECT_EQ(c.dead, 1);
  EXPECT_EQ(c.retried, 1);
  EXPECT_EQ(c.processed, 4);
  ASSERT_EQ(c.by_type.size(), 4u);
  EXPECT_EQ(c.by_type.at("echo"), (type_counters{2, 2, 0, 0, 0}));
  EXPECT_EQ(c.by_type.at("sha256"), (type_counters{1, 0, 1, 0, 0}));
  EXPECT_EQ(c.by_type.at("fail"), (type_counters{1, 0, 0, 1, 1}));
  EXPECT_EQ(c.by_type.at("wordcount"), (type_counters{1, 0, 0, 0, 0}));
  // The documented key layout.
  EXPECT_EQ(string_of(server->admin({"GET", "tm:count:processed"}).get()), "4");
  EXPECT_EQ(string_of(server->admin({"GET", "tm:count:type:echo:succeeded"}).get()), "2");
}

// The update reply says whether an api pod watches (P:events:watched), read
// in the same script run, for every chunk of a batch.
TEST_F(RecordsTest, UpdateSaysWhetherLiveEventsAreWatched) {
  const task_record r = make_record();
  admit_one(r);
  const record_write running{advanced(r, task_status::running, 1), "echo"};
  EXPECT_FALSE(ok(records->update({&running, 1})).watched);

  ASSERT_TRUE(records->mark_events_watched(60s));
  const auto ttl = integer_of(server->admin({"PTTL", "tm:events:watched"}).get());
  ASSERT_TRUE(ttl);
  EXPECT_GT(*ttl, 50'000);
  EXPECT_LE(*ttl, 60'000);

  std::vector<task_record> many;
  for (int i = 0; i < 600; ++i) // three script calls of at most 256
    many.push_back(advanced(make_record(), task_status::succeeded, 1));
  const auto reply = ok(records->update(writes(many, "echo")));
  EXPECT_TRUE(reply.watched);
  ASSERT_EQ(reply.outcomes.size(), many.size());
  for (const auto o : reply.outcomes)
    EXPECT_EQ(o, update_outcome::first_terminal);

  server->admin({"DEL", "tm:events:watched"});
  const record_write done{advanced(r, task_status::succeeded, 1), "echo"};
  EXPECT_FALSE(ok(records->update({&done, 1})).watched);
}

// Replicas in sync with the primary (INFO replication: slaveN:...,state=online).
long long online_replicas(const redis_server& primary) {
  const std::string info{string_of(primary.admin({"INFO", "replication"}).get()).value_or("")};
  long long n = 0;
  for (auto at = info.find("state=online"); at != std::string::npos;
       at = info.find("state=online", at + 1))
    ++n;
  return n;
}

// With wait_replicas, update returns once a replica holds its writes, and
// fails with not_replicated when none does (a worker then does not ack, and
// JetStream redelivers the task).
TEST(RecordsWait, UpdateReturnsOnceAReplicaHoldsTheResult) {
  redis_server primary;
  // A replica's first sync starts at once (not after Redis's default 5 s).
  primary.admin({"CONFIG", "SET", "repl-diskless-sync-delay", "0"});
  redis_server replica({.replica_of = primary.port()});
  ASSERT_TRUE(wait_until([&] { return online_replicas(primary) == 1; }, 10s))
    << replica.log_tail();
  // Room for a replica starved by a loaded machine (a parallel ctest): the
  // WAIT may take seconds, so the client's timeout is longer still.
  auto config = primary.config();
  config.command_timeout = 5s;
  client c(config);
  records_options o{"tm", 60s, 256};
  o.wait_replicas = 1;
  o.wait_timeout = 3s;
  task_records records(c, o);

  const task_record r = make_record();
  const record_write done{advanced(r, task_status::succeeded, 1), "echo"};
  const auto reply = records.update({&done, 1});
  ASSERT_TRUE(reply) << reply.err().message;
  EXPECT_EQ(reply->outcomes.at(0), update_outcome::first_terminal);
  const auto on_replica = replica.admin({"GET", "tm:task:" + r.id.to_string()});
  const auto value = string_of(on_replica.get());
  ASSERT_TRUE(value);
  EXPECT_TRUE(value->starts_with("succeeded|")) << *value;

  replica.kill();
  ASSERT_TRUE(wait_until([&] { return online_replicas(primary) == 0; }, 10s));
  const task_record other = make_record();
  const record_write lost{advanced(other, task_status::succeeded, 1), "echo"};
  const auto refused = records.update({&lost, 1});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.err().code, errc::not_replicated) << refused.err().message;
  EXPECT_NE(refused.err().message.find("0 of 1 replicas acknowledged within 3000 ms"),
            std::string::npos)
    << refused.err().message;
}

} // namespace
} // namespace taskmesh::valkey::testing
