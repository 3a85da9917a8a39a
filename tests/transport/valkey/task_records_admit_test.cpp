// File: tests/transport/valkey/task_records_admit_test.cpp
// claim and admit against a real server, in the order cluster intake uses
// them (claim keyed tasks -> publish -> admit): claims write no record; a
// recorded key is a duplicate reporting the original's current status; an
// unrecorded claim is taken over (same id); a key whose record is gone is
// free again; admit writes the queued record with no expiry, turns the claim
// into the task's key, never overwrites a later state and counts once.
#include "tests/transport/valkey/valkey_fixture.hpp"

namespace taskmesh::valkey::testing {
namespace {

task_record keyed(std::string key) {
  task_record r = make_record();
  r.idempotency_key = std::move(key);
  return r;
}

TEST_F(RecordsTest, AdmitWritesTheQueuedRecordWithoutExpiry) {
  task_record r = make_record();
  r.prio = priority::high;
  EXPECT_EQ(admit_one(r, "wordcount"), task_status::queued);

  const stored_record s = stored(r.id);
  EXPECT_EQ(s.type, "wordcount");
  EXPECT_EQ(s.record.id, r.id);
  EXPECT_EQ(s.record.status, task_status::queued);
  EXPECT_EQ(s.record.prio, priority::high);
  EXPECT_EQ(s.record.submitted_at, r.submitted_at);
  EXPECT_EQ(s.record.started_at, 0);

  const std::string key = "tm:task:" + r.id.to_string();
  EXPECT_EQ(records->record_key(r.id), key);
  EXPECT_EQ(server->admin_integer({"PTTL", key}), -1) << "a queued task's record never expires";
  // One string: the header, then the body with only the priority away from
  // its default (record_codec.hpp).
  EXPECT_EQ(string_of(server->admin({"GET", key}).get()),
            "queued|0|0|0|0|" + std::to_string(r.submitted_at) +
              "|0|0|9:wordcount0:4:high0:0:0:0:0:0:");

  const auto c = ok(records->counters());
  EXPECT_EQ(c.submitted, 1);
  EXPECT_EQ(c.by_type.at("wordcount").submitted, 1);
  EXPECT_EQ(ok(records->count_records()), 1);
}

// Admission writes queued records only (the script writes no expiry and
// counts the record live): anything else is a caller's mistake.
TEST_F(RecordsTest, AdmitRefusesARecordThatIsNotQueued) {
  const record_write done{make_record(task_status::succeeded, 1), "echo"};
  EXPECT_THROW((void)records->admit({&done, 1}), std::invalid_argument);
  EXPECT_EQ(ok(records->count_records()), 0);
}

TEST_F(RecordsTest, ClaimReservesTheIdAndWritesNoRecord) {
  const task_record r = keyed("order-1");
  const claim c = claim_one(r);
  EXPECT_EQ(c.outcome, claim_outcome::claimed);
  EXPECT_EQ(c.id, r.id);
  EXPECT_EQ(c.status, task_status::queued);
  EXPECT_EQ(idem_value("order-1"), r.id.to_string() + "~");
  const auto pttl = server->admin_integer({"PTTL", "tm:idem:order-1"});
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, records->options().claim_ttl.count());
  EXPECT_FALSE(ok(records->get(r.id)));
  EXPECT_EQ(ok(records->counters()).submitted, 0);
  EXPECT_EQ(ok(records->count_records()), 0);
}

TEST_F(RecordsTest, AdmitMakesTheClaimTheTasksKeyForAsLongAsItLives) {
  const task_record r = keyed("order-2");
  ASSERT_EQ(claim_one(r).outcome, claim_outcome::claimed);
  admit_one(r);
  EXPECT_EQ(idem_value("order-2"), r.id.to_string());
  EXPECT_EQ(server->admin_integer({"PTTL", "tm:idem:order-2"}), -1);
  // Finished: record and key expire together, result_ttl from now.
  ASSERT_EQ(update_one(advanced(r, task_status::succeeded, 1)), update_outcome::first_terminal);
  for (const std::string& key : {records->record_key(r.id), std::string("tm:idem:order-2")}) {
    const auto pttl = server->admin_integer({"PTTL", key});
    EXPECT_GT(pttl, 50'000) << key;
    EXPECT_LE(pttl, 60'000) << key;
  }
}

TEST_F(RecordsTest, ClaimOfARecordedKeyIsADuplicateWithItsCurrentStatus) {
  const task_record first = keyed("k");
  claim_one(first);
  admit_one(first);
  ASSERT_EQ(update_one(advanced(first, task_status::succeeded, 1)),
            update_outcome::first_terminal);

  const task_record again = keyed("k");
  const claim c = claim_one(again);
  EXPECT_EQ(c.outcome, claim_outcome::duplicate);
  EXPECT_EQ(c.id, first.id);
  EXPECT_EQ(c.status, task_status::succeeded);
  EXPECT_EQ(idem_value("k"), first.id.to_string());
  EXPECT_EQ(ok(records->counters()).submitted, 1);
}

// The request that claimed the key died (before or after its publish); a
// retry with the same key publishes under the same id, which JetStream
// de-duplicates, so the task exists once either way.
TEST_F(RecordsTest, AnUnrecordedClaimIsTakenOverWithItsId) {
  const task_record first = keyed("retry-me");
  claim_one(first);
  const task_record retry = keyed("retry-me");
  const claim c = claim_one(retry);
  EXPECT_EQ(c.outcome, claim_outcome::taken_over);
  EXPECT_EQ(c.id, first.id);

  task_record published = retry;
  published.id = c.id;
  admit_one(published);
  EXPECT_FALSE(ok(records->get(retry.id)));
  EXPECT_EQ(stored(first.id).record.idempotency_key, "retry-me");
  EXPECT_EQ(idem_value("retry-me"), first.id.to_string());
  EXPECT_EQ(ok(records->counters()).submitted, 1);
}

TEST_F(RecordsTest, TheSameKeyTwiceInOneBatchGetsOneId) {
  const std::vector<task_record> batch{keyed("twice"), make_record(), keyed("twice")};
  std::vector<key_claim> keys{{batch[0].id, "twice"}, {batch[2].id, "twice"}};
  const auto out = ok(records->claim_keys(keys));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].outcome, claim_outcome::claimed);
  EXPECT_EQ(out[1].outcome, claim_outcome::taken_over);
  EXPECT_EQ(out[0].id, batch[0].id);
  EXPECT_EQ(out[1].id, batch[0].id);
}

TEST_F(RecordsTest, KeyWhoseRecordIsGoneIsFreeAgain) {
  const task_record first = keyed("reuse");
  claim_one(first);
  admit_one(first);
  server->admin({"DEL", records->record_key(first.id)}); // e.g. evicted under memory pressure

  const task_record second = keyed("reuse");
  const claim c = claim_one(second);
  EXPECT_EQ(c.outcome, claim_outcome::claimed);
  EXPECT_EQ(c.id, second.id);
  EXPECT_EQ(idem_value("reuse"), second.id.to_string() + "~");
}

TEST_F(RecordsTest, QueuedWriteNeverOverwritesALaterState) {
  // A fast worker reported the outcome before admit wrote the record: the
  // worker's write created it and counted it as submitted.
  const task_record r = make_record();
  ASSERT_EQ(update_one(advanced(r, task_status::succeeded, 1)), update_outcome::first_terminal);
  EXPECT_EQ(admit_one(r), task_status::succeeded);
  const stored_record s = stored(r.id);
  EXPECT_EQ(s.record.status, task_status::succeeded);
  EXPECT_EQ(s.record.result, R"({"words":3})");
  const auto c = ok(records->counters());
  EXPECT_EQ(c.submitted, 1);
  EXPECT_EQ(c.succeeded, 1);
  EXPECT_EQ(c.processed, 1);
  EXPECT_GT(server->admin_integer({"PTTL", records->record_key(r.id)}), 0)
    << "admit leaves a finished record's expiry alone";
}

TEST_F(RecordsTest, ResentAdmitCountsNothing) {
  std::vector<task_record> batch{make_record(), keyed("resent")};
  claim_one(batch[1]);
  for (int round = 0; round < 3; ++round) {
    const auto out = ok(records->admit(writes(batch, "echo")));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], task_status::queued) << "round " << round;
    EXPECT_EQ(out[1], task_status::queued) << "round " << round;
  }
  EXPECT_EQ(ok(records->counters()).submitted, 2);
  EXPECT_EQ(ok(records->count_records()), 2);
}

TEST_F(RecordsTest, LargeBatchesAreChunkedIntoOneRoundTrip) {
  std::vector<task_record> batch;
  std::vector<std::string> names; // key_claim borrows its key
  std::vector<key_claim> keys;
  for (int i = 0; i < 600; ++i)
    batch.push_back(make_record());
  for (int i = 0; i < 300; ++i)
    names.push_back("k" + std::to_string(i % 100));
  for (std::size_t i = 0; i < names.size(); ++i)
    keys.push_back({batch[i].id, names[i]});
  const auto claims = ok(records->claim_keys(keys));
  ASSERT_EQ(claims.size(), 300u);
  for (std::size_t i = 0; i < claims.size(); ++i)
    EXPECT_EQ(claims[i].id, batch[i % 100].id) << "key k" << i % 100;
  EXPECT_EQ(ok(records->admit(writes(batch, "echo"))).size(), 600u);
  // 300 claims and 600 records, at most 256 per script run: 2 + 3 EVALSHA,
  // each set sent in one pipeline.
  const auto info = server->admin({"INFO", "commandstats"});
  const std::string stats(string_of(info.get()).value_or(""));
  EXPECT_NE(stats.find("cmdstat_evalsha:calls=5,"), std::string::npos) << stats;
  EXPECT_EQ(ok(records->count_records()), 600);
  EXPECT_EQ(ok(records->counters()).submitted, 600);
}

TEST_F(RecordsTest, EmptyBatchesNeedNoServer) {
  server->kill();
  EXPECT_TRUE(ok(records->claim_keys({})).empty());
  EXPECT_TRUE(ok(records->admit({})).empty());
  EXPECT_TRUE(ok(records->update({})).outcomes.empty());
}

} // namespace
} // namespace taskmesh::valkey::testing

namespace taskmesh::valkey::testing {
namespace {

TEST(TaskRecordsOptions, RejectsUnusableOptions) {
  client c(valkey_config{}); // never connects in this test
  EXPECT_THROW(task_records(c, {"", 1s, 256}), std::invalid_argument);
  EXPECT_THROW(task_records(c, {"tm", 0ms, 256}), std::invalid_argument);
  EXPECT_THROW(task_records(c, {"tm", 1s, 0}), std::invalid_argument);
  EXPECT_THROW(task_records(c, {"tm", 1s, max_script_batch_limit + 1}), std::invalid_argument);
  EXPECT_THROW(task_records(c, {"tm", 1s, 256, 0ms}), std::invalid_argument);
  EXPECT_NO_THROW(task_records(c, {"tm", 1s, max_script_batch_limit}));
}

} // namespace
} // namespace taskmesh::valkey::testing
