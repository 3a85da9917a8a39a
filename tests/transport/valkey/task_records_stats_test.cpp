// File: tests/transport/valkey/task_records_stats_test.cpp
// Reads and upkeep against a real server: get (missing, corrupt), TTLs
// refreshed by updates, count_records exact after records expire, worker
// heartbeats and count_workers, scripts surviving SCRIPT FLUSH and a
// restart (NOSCRIPT -> EVAL), and prompt errors while Valkey is down.
#include "tests/transport/valkey/valkey_fixture.hpp"

namespace taskmesh::valkey::testing {
namespace {

using clock_type = std::chrono::steady_clock;

// Key names under a prefix, found with KEYS: fine in a test, never in the code.
long long keys_matching(const redis_server& server, const std::string& pattern) {
  const auto r = server.admin({"KEYS", pattern});
  return r && r->type == REDIS_REPLY_ARRAY ? static_cast<long long>(r->elements) : -1;
}

TEST_F(RecordsTest, GetMissingAndCorruptRecords) {
  EXPECT_FALSE(ok(records->get(task_id::generate())));
  const task_id id = task_id::generate();
  server->admin({"SET", records->record_key(id), "exploded|0|0|0|0|0|0|0|4:echo0:0:0:0:0:0:0:0:"});
  auto r = records->get(id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::bad_record);
  EXPECT_NE(r.err().message.find("status"), std::string::npos) << r.err().message;
  const task_id wrong_type = task_id::generate();
  server->admin({"HSET", records->record_key(wrong_type), "status", "queued"}); // the old layout
  auto w = records->get(wrong_type);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.err().code, errc::server_error);
  EXPECT_NE(w.err().message.find("WRONGTYPE"), std::string::npos) << w.err().message;
}

// A record lives while its task does, however short result_ttl is; the
// first terminal write starts its (and its key's) result_ttl.
TEST_F(RecordsTest, RecordsExpireOnlyOnceTerminal) {
  task_record r = make_record();
  r.idempotency_key = "ttl";
  task_records short_ttl(*valkey, {"tm", 2s, 256});
  const key_claim k{r.id, r.idempotency_key};
  ok(short_ttl.claim_keys({&k, 1}));
  const record_write w{r, "echo"};
  ok(short_ttl.admit({&w, 1}));
  const auto key = records->record_key(r.id);
  const task_record running = advanced(r, task_status::running, 1);
  const record_write rw{running, "echo"};
  ok(short_ttl.update({&rw, 1}));
  EXPECT_EQ(server->admin_integer({"PTTL", key}), -1);
  EXPECT_EQ(server->admin_integer({"PTTL", "tm:idem:ttl"}), -1);
  EXPECT_EQ(string_of(server->admin({"GET", "tm:live"}).get()), "1"); // counted once, not twice
  EXPECT_EQ(server->admin_integer({"ZCARD", "tm:finished"}), 0);

  const task_record done = advanced(r, task_status::succeeded, 1);
  const record_write dw{done, "echo"};
  ok(short_ttl.update({&dw, 1}));
  for (const std::string& k2 : {key, std::string("tm:idem:ttl")}) {
    const auto pttl = server->admin_integer({"PTTL", k2});
    EXPECT_GT(pttl, 0) << k2;
    EXPECT_LE(pttl, 2000) << k2;
  }
  // Finished: off P:live, into a P:finished group that expires with it.
  EXPECT_EQ(string_of(server->admin({"GET", "tm:live"}).get()), "0");
  EXPECT_EQ(string_of(server->admin({"GET", "tm:finished:count"}).get()), "1");
  const auto reply = server->admin({"ZSCORE", "tm:finished", "1:" + r.id.to_string()});
  const auto score = string_of(reply.get());
  ASSERT_TRUE(score.has_value());
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(std::stoll(std::string(*score)), now_ms);
  EXPECT_LE(std::stoll(std::string(*score)), now_ms + 2000 + 1000); // result_ttl, and clock slack
}

TEST_F(RecordsTest, CountRecordsIsExactAfterExpiry) {
  task_records brief(*valkey, {"tm", 300ms, 256});
  std::vector<task_record> short_lived, long_lived;
  for (int i = 0; i < 5; ++i)
    short_lived.push_back(make_record());
  for (int i = 0; i < 3; ++i)
    long_lived.push_back(make_record());
  ok(brief.admit(writes(short_lived, "echo")));
  ok(records->admit(writes(long_lived, "echo")));
  // The short-lived ones and one of the others finish under the short TTL
  // store: the count must follow their expiry. The other two never finish,
  // so they never expire.
  std::vector<task_record> finished;
  for (const auto& r : short_lived)
    finished.push_back(advanced(r, task_status::succeeded, 1));
  finished.push_back(advanced(long_lived[0], task_status::succeeded, 1));
  ok(brief.update(writes(finished, "echo")));

  EXPECT_EQ(ok(records->count_records()), 8);
  EXPECT_EQ(keys_matching(*server, "tm:task:*"), 8);
  ASSERT_TRUE(wait_until([&] { return ok(records->count_records()) == 2; }, 3s));
  // The keys really are gone, and no more than these are: exact, not approximate.
  EXPECT_TRUE(wait_until([&] { return keys_matching(*server, "tm:task:*") == 2; }, 2s));
  EXPECT_EQ(ok(records->count_records()), keys_matching(*server, "tm:task:*"));
  // One update made the six terminal: one group, trimmed, not just counted.
  EXPECT_EQ(server->admin_integer({"ZCARD", "tm:finished"}), 0);
  EXPECT_EQ(string_of(server->admin({"GET", "tm:finished:count"}).get()), "0");
}

// Records made terminal by a worker before admit wrote them, cancelled, or
// finished by several script runs: the count follows each path exactly.
TEST_F(RecordsTest, CountRecordsFollowsEveryPathToTheStore) {
  task_records brief(*valkey, {"tm", 400ms, 256});
  const task_record queued = make_record();
  const task_record cancelled = make_record();
  const task_record worker_first = make_record();
  ok(brief.admit(writes(std::vector{queued, cancelled}, "echo")));
  EXPECT_EQ(ok(brief.count_records()), 2);
  ASSERT_EQ(ok(brief.cancel(cancelled.id)).outcome, task_records::cancel_outcome::cancelled);
  // A worker's terminal write before its admit, then the admit: one record.
  ok(brief.update(writes(std::vector{advanced(worker_first, task_status::succeeded, 1)}, "echo")));
  ok(brief.admit(writes(std::vector{worker_first}, "echo")));
  EXPECT_EQ(ok(brief.count_records()), 3);
  EXPECT_EQ(server->admin_integer({"ZCARD", "tm:finished"}), 2); // two runs, two groups
  EXPECT_EQ(string_of(server->admin({"GET", "tm:live"}).get()), "1");
  // A terminal write repeated changes nothing.
  ok(brief.update(writes(std::vector{advanced(worker_first, task_status::succeeded, 1)}, "echo")));
  EXPECT_EQ(ok(brief.count_records()), 3);
  ASSERT_TRUE(wait_until([&] { return ok(brief.count_records()) == 1; }, 3s));
  EXPECT_TRUE(wait_until([&] { return keys_matching(*server, "tm:task:*") == 1; }, 2s));
  EXPECT_EQ(server->admin_integer({"ZCARD", "tm:finished"}), 0);
}

// More expired groups than a write trims at once (1024): count_records
// drops them all, in several steps, and the count is exact again.
TEST_F(RecordsTest, CountRecordsDropsAnyNumberOfExpiredGroups) {
  task_records one_per_run(*valkey, {"tm", 1500ms, 1}); // each record its own script run
  std::vector<task_record> finished;
  for (int i = 0; i < 1100; ++i)
    finished.push_back(advanced(make_record(), task_status::succeeded, 1));
  ok(one_per_run.update(writes(finished, "echo")));
  EXPECT_EQ(server->admin_integer({"ZCARD", "tm:finished"}), 1100);
  EXPECT_EQ(ok(one_per_run.count_records()), 1100);
  ASSERT_TRUE(wait_until([&] { return keys_matching(*server, "tm:task:*") == 0; }, 5s));
  EXPECT_EQ(ok(one_per_run.count_records()), 0);
  EXPECT_EQ(server->admin_integer({"ZCARD", "tm:finished"}), 0);
  EXPECT_EQ(string_of(server->admin({"GET", "tm:finished:count"}).get()), "0");
}

TEST_F(RecordsTest, HeartbeatsAndCountWorkers) {
  EXPECT_EQ(ok(records->count_workers()), 0);
  EXPECT_EQ(ok(records->heartbeat("w1", 10s)), 1);
  EXPECT_EQ(ok(records->heartbeat("w2", 10s)), 2);
  EXPECT_EQ(ok(records->heartbeat("w3", 200ms)), 3);
  EXPECT_EQ(ok(records->heartbeat("w1", 10s)), 3); // a repeat beat is the same worker
  EXPECT_EQ(ok(records->count_workers()), 3);
  const auto pttl = server->admin_integer({"PTTL", "tm:worker:w2"});
  EXPECT_GT(pttl, 9000);
  EXPECT_LE(pttl, 10'000);

  ASSERT_TRUE(wait_until([&] { return ok(records->count_workers()) == 2; }, 3s));
  EXPECT_EQ(keys_matching(*server, "tm:worker:*"), 2);
  ASSERT_TRUE(records->forget_worker("w1"));
  EXPECT_EQ(ok(records->count_workers()), 1);
  EXPECT_EQ(keys_matching(*server, "tm:worker:*"), 1);
}

TEST_F(RecordsTest, ScriptsSurviveScriptFlush) {
  const task_record r = make_record();
  admit_one(r);
  server->admin({"SCRIPT", "FLUSH"});
  EXPECT_EQ(update_one(advanced(r, task_status::succeeded, 1)), update_outcome::first_terminal);
  EXPECT_EQ(ok(records->counters()).succeeded, 1);
  // EVAL put it back into the cache: the next call is an EVALSHA hit.
  EXPECT_EQ(update_one(advanced(r, task_status::succeeded, 1)), update_outcome::already_terminal);
}

TEST_F(RecordsTest, ValkeyDownFailsPromptlyThenRecovers) {
  const task_record before = make_record();
  admit_one(before);
  server->kill();

  const task_record r = make_record();
  const record_write w{r, "echo"};
  for (int i = 0; i < 3; ++i) {
    const auto start = clock_type::now();
    auto out = records->admit({&w, 1});
    const auto took = clock_type::now() - start;
    ASSERT_FALSE(out);
    EXPECT_LT(took, 600ms) << out.err().message; // at most the connect timeout, not a hang
    EXPECT_FALSE(valkey->healthy());
  }
  EXPECT_FALSE(records->counters());
  EXPECT_FALSE(records->count_records());

  server->restart(); // empty: no AOF in this test, and no scripts cached
  ASSERT_TRUE(wait_until([&] { return bool(records->admit({&w, 1})); }, 3s));
  EXPECT_TRUE(valkey->healthy());
  EXPECT_EQ(stored(r.id).record.status, task_status::queued);
  EXPECT_EQ(ok(records->counters()).submitted, 1);
}

} // namespace
} // namespace taskmesh::valkey::testing
