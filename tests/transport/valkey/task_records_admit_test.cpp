// File: tests/transport/valkey/task_records_admit_test.cpp
// admit against a real server: the queued record and its TTL, duplicates by
// idempotency key (same batch, across batches, reporting the original's
// current status), a later state never overwritten by the queued write,
// resent admits counting nothing, keys freed with their record, chunking.
#include "tests/transport/valkey/valkey_fixture.hpp"

namespace taskmesh::valkey::testing {
namespace {

TEST_F(RecordsTest, AdmitWritesTheQueuedRecordWithTtl) {
  task_record r = make_record();
  r.prio = priority::high;
  const admission a = admit_one(r, "wordcount");
  EXPECT_EQ(a.outcome, admit_outcome::accepted);
  EXPECT_EQ(a.id, r.id);
  EXPECT_EQ(a.status, task_status::queued);

  const stored_record s = stored(r.id);
  EXPECT_EQ(s.type, "wordcount");
  EXPECT_EQ(s.record.id, r.id);
  EXPECT_EQ(s.record.status, task_status::queued);
  EXPECT_EQ(s.record.prio, priority::high);
  EXPECT_EQ(s.record.submitted_at, r.submitted_at);
  EXPECT_EQ(s.record.started_at, 0);

  const std::string key = "tm:task:" + r.id.to_string();
  EXPECT_EQ(records->record_key(r.id), key);
  const auto pttl = server->admin_integer({"PTTL", key});
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 60'000);
  EXPECT_EQ(server->admin_integer({"HLEN", key}), 14); // 13 record fields + 'admitted'

  const auto c = ok(records->counters());
  EXPECT_EQ(c.submitted, 1);
  EXPECT_EQ(c.by_type.at("wordcount").submitted, 1);
  EXPECT_EQ(ok(records->count_records()), 1);
}

TEST_F(RecordsTest, DuplicateKeyInTheSameBatch) {
  std::vector<task_record> batch{make_record(), make_record(), make_record()};
  batch[0].idempotency_key = "order-1";
  batch[2].idempotency_key = "order-1";
  const auto out = ok(records->admit(writes(batch, "echo")));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].outcome, admit_outcome::accepted);
  EXPECT_EQ(out[1].outcome, admit_outcome::accepted);
  EXPECT_EQ(out[2].outcome, admit_outcome::duplicate);
  EXPECT_EQ(out[2].id, batch[0].id);
  EXPECT_EQ(out[2].status, task_status::queued);
  EXPECT_FALSE(ok(records->get(batch[2].id))); // nothing written for the duplicate
  EXPECT_EQ(ok(records->counters()).submitted, 2);
  EXPECT_EQ(ok(records->count_records()), 2);
  const auto idem_ttl = server->admin_integer({"PTTL", "tm:idem:order-1"});
  EXPECT_GT(idem_ttl, 0);
  EXPECT_LE(idem_ttl, 60'000);
}

TEST_F(RecordsTest, DuplicateAcrossBatchesReportsCurrentStatus) {
  task_record first = make_record();
  first.idempotency_key = "k";
  ASSERT_EQ(admit_one(first).outcome, admit_outcome::accepted);
  ASSERT_EQ(update_one(advanced(first, task_status::succeeded, 1)),
            update_outcome::first_terminal);

  task_record again = make_record();
  again.idempotency_key = "k";
  const admission a = admit_one(again);
  EXPECT_EQ(a.outcome, admit_outcome::duplicate);
  EXPECT_EQ(a.id, first.id);
  EXPECT_EQ(a.status, task_status::succeeded);
  EXPECT_EQ(ok(records->counters()).submitted, 1);
}

TEST_F(RecordsTest, QueuedWriteNeverOverwritesALaterState) {
  // A fast worker reported the outcome before admit wrote the record.
  const task_record r = make_record();
  ASSERT_EQ(update_one(advanced(r, task_status::succeeded, 1)), update_outcome::first_terminal);
  const admission a = admit_one(r);
  EXPECT_EQ(a.outcome, admit_outcome::accepted);
  EXPECT_EQ(a.status, task_status::succeeded);
  const stored_record s = stored(r.id);
  EXPECT_EQ(s.record.status, task_status::succeeded);
  EXPECT_EQ(s.record.result, R"({"words":3})");
  const auto c = ok(records->counters());
  EXPECT_EQ(c.submitted, 1); // still counted as submitted, once
  EXPECT_EQ(c.succeeded, 1);
  EXPECT_EQ(c.processed, 1);
}

TEST_F(RecordsTest, ResentAdmitCountsNothing) {
  std::vector<task_record> batch{make_record(), make_record()};
  batch[1].idempotency_key = "resent";
  for (int round = 0; round < 3; ++round) {
    const auto out = ok(records->admit(writes(batch, "echo")));
    ASSERT_EQ(out.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(out[i].outcome, admit_outcome::accepted) << "round " << round;
      EXPECT_EQ(out[i].id, batch[i].id);
    }
  }
  EXPECT_EQ(ok(records->counters()).submitted, 2);
  EXPECT_EQ(ok(records->count_records()), 2);
}

TEST_F(RecordsTest, KeyWhoseRecordIsGoneIsFreeAgain) {
  task_record first = make_record();
  first.idempotency_key = "reuse";
  ASSERT_EQ(admit_one(first).outcome, admit_outcome::accepted);
  server->admin({"DEL", records->record_key(first.id)}); // e.g. evicted under memory pressure

  task_record second = make_record();
  second.idempotency_key = "reuse";
  const admission a = admit_one(second);
  EXPECT_EQ(a.outcome, admit_outcome::accepted);
  EXPECT_EQ(a.id, second.id);
  EXPECT_EQ(string_of(server->admin({"GET", "tm:idem:reuse"}).get()), second.id.to_string());
}

TEST_F(RecordsTest, LargeBatchIsChunkedIntoOneRoundTrip) {
  std::vector<task_record> batch;
  for (int i = 0; i < 600; ++i) {
    batch.push_back(make_record());
    if (i % 100 == 0)
      batch.back().idempotency_key = "dup"; // 0 accepted, 100..500 duplicates of it
  }
  const auto out = ok(records->admit(writes(batch, "echo")));
  ASSERT_EQ(out.size(), 600u);
  int duplicates = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i].outcome == admit_outcome::duplicate) {
      ++duplicates;
      EXPECT_EQ(out[i].id, batch[0].id);
    } else {
      EXPECT_EQ(out[i].id, batch[i].id);
    }
  }
  EXPECT_EQ(duplicates, 5);
  // 600 tasks, at most 256 per script run: three EVALSHA, sent together.
  const auto info = server->admin({"INFO", "commandstats"});
  const std::string stats(string_of(info.get()).value_or(""));
  EXPECT_NE(stats.find("cmdstat_evalsha:calls=3,"), std::string::npos) << stats;
  EXPECT_EQ(ok(records->count_records()), 595);
  EXPECT_EQ(ok(records->counters()).submitted, 595);
}

TEST_F(RecordsTest, EmptyBatchesNeedNoServer) {
  server->kill();
  EXPECT_TRUE(ok(records->admit({})).empty());
  EXPECT_TRUE(ok(records->update({})).empty());
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
  EXPECT_NO_THROW(task_records(c, {"tm", 1s, max_script_batch_limit}));
}

} // namespace
} // namespace taskmesh::valkey::testing
