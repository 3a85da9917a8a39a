// File: tests/transport/cluster/valkey_store_test.cpp
// The cluster store actor against a real redis-server, on a real threaded
// actor system (the actor is detached and blocks in hiredis, so CAF's testing
// scheduler cannot drive it): update, get and duplicates' status through the
// actor (records admitted as cluster_admission does, on the fixture's own
// connection; the admission itself: cluster_admission_test); errors reaching
// the requester while Valkey is down; the sweep (records gauge, health,
// heartbeat); health following a restart.
#include <gtest/gtest.h>

#include <future>
#include <optional>

#include <caf/all.hpp>

#include "actors/ops/registry.hpp"
#include "tests/transport/cluster/threaded_config.hpp"
#include "tests/transport/valkey/valkey_fixture.hpp"
#include "transport/cluster/valkey_store.hpp"

namespace taskmesh::cluster {
namespace {

using cluster_test::threaded_config;

using namespace std::chrono_literals;
using valkey::testing::wait_until;


bool is(const caf::error& e, errc code) {
  return e.category() == caf::atom("taskmesh") && e.code() == static_cast<std::uint8_t>(code);
}

// A request's answer: the value, or the error the requester's handler got.
template <class T>
struct answer {
  std::optional<T> value;
  std::optional<caf::error> error;
};

class ValkeyStore : public valkey::testing::RecordsTest {
protected:
  void SetUp() override {
    RecordsTest::SetUp();
    echo = op("echo");
  }

  void TearDown() override {
    if (store)
      caf::anon_send_exit(store, caf::exit_reason::kill);
  }

  // Prefix "tm", as the fixture's own task_records, so tests can check
  // through both.
  void start(std::string worker_id = "", std::chrono::milliseconds sweep = 50ms) {
    valkey_store_config c;
    c.connection = server->config();
    c.records = {"tm", 60s, 256};
    c.worker_id = std::move(worker_id);
    c.sweep_interval = sweep;
    c.heartbeat_ttl = 2s;
    store = spawn_valkey_store(sys, c, &ops, &gauges, &health);
  }

  op_index op(std::string_view name) const {
    op_index i = 0;
    EXPECT_NE(ops.find(name, &i), nullptr) << name;
    return i;
  }

  task_record record(std::string key = "") const {
    task_record r = valkey::testing::make_record();
    r.op = echo;
    r.idempotency_key = std::move(key);
    return r;
  }

  // The same task in a later state, as a worker reports it.
  static task_record advanced(const task_record& r, task_status status, std::uint8_t attempts) {
    task_record out = valkey::testing::advanced(r, status, attempts);
    out.op = r.op;
    return out;
  }

  template <class T, class... Ts>
  answer<T> ask(Ts... xs) {
    answer<T> out;
    caf::scoped_actor self{sys};
    self->request(store, 10s, xs...)
      .receive([&](T& v) { out.value = std::move(v); },
               [&](caf::error& e) { out.error = std::move(e); });
    return out;
  }

  // What cluster_admission does, on the fixture's own connection: claim
  // the keys, then record what is not a duplicate of a recorded task.
  std::vector<admission> accept(std::vector<task_record> batch) {
    std::vector<admission> out;
    for (auto& r : batch) {
      admission a{r.id, task_status::queued, false};
      if (!r.idempotency_key.empty()) {
        const auto c = claim_one(r);
        if (c.outcome == valkey::claim_outcome::duplicate) {
          out.push_back({c.id, c.status, true});
          continue;
        }
        r.id = c.id;
        a = {c.id, task_status::queued, c.outcome == valkey::claim_outcome::taken_over};
      }
      const auto status = admit_one(r);
      if (a.duplicate)
        a.status = status;
      out.push_back(a);
    }
    return out;
  }

  // As the worker does it: an event-based requester whose .then() has a
  // void value handler and an error handler. Returns the error, if any.
  std::optional<caf::error> update(std::vector<task_record> batch) {
    auto done = std::make_shared<std::promise<std::optional<caf::error>>>();
    auto result = done->get_future();
    auto dest = store;
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(dest, 10s, update_atom::value, batch)
        .then([=] { done->set_value(std::nullopt); },
              [=](caf::error& e) { done->set_value(e); });
    });
    EXPECT_EQ(result.wait_for(15s), std::future_status::ready);
    return result.get();
  }

  answer<task_record> get(const task_id& id) { return ask<task_record>(get_atom::value, id); }

  std::int64_t submitted() { return ok(records->counters()).submitted; }

  // Objects the actor points into first: they must outlive `sys`, whose
  // destructor waits for the actor to stop.
  op_registry ops = op_registry::builtin();
  op_index echo = 0;
  pipeline_gauges gauges;
  dependency_health health;
  threaded_config cfg;
  caf::actor_system sys{cfg};
  store_actor store;
};

TEST_F(ValkeyStore, AdmitDuplicateUpdateGet) {
  start();
  const task_record original = record("order-1");
  const task_record again = record("order-1");
  const task_record plain = record();

  const auto first = accept({original, plain});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_FALSE(first[0].duplicate);
  EXPECT_EQ(first[0].id, original.id);
  EXPECT_EQ(first[0].status, task_status::queued);
  EXPECT_FALSE(first[1].duplicate);

  // Running, then done: the duplicate reports the original's current status.
  EXPECT_FALSE(update({advanced(original, task_status::running, 1)}));
  const auto dup = accept({again});
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_TRUE(dup[0].duplicate);
  EXPECT_EQ(dup[0].id, original.id);
  EXPECT_EQ(dup[0].status, task_status::running);

  const task_record done = advanced(original, task_status::succeeded, 1);
  EXPECT_FALSE(update({done}));
  const auto got = get(original.id);
  ASSERT_TRUE(got.value) << (got.error ? sys.render(*got.error) : "");
  EXPECT_EQ(got.value->id, original.id);
  EXPECT_EQ(got.value->op, echo);
  EXPECT_EQ(got.value->status, task_status::succeeded);
  EXPECT_EQ(got.value->attempts, 1);
  EXPECT_EQ(got.value->result, done.result);
  EXPECT_EQ(got.value->idempotency_key, "order-1");
  EXPECT_EQ(stored(original.id).type, "echo");

  const auto queued = get(plain.id);
  ASSERT_TRUE(queued.value);
  EXPECT_EQ(queued.value->status, task_status::queued);

  const auto missing = get(task_id::generate());
  ASSERT_TRUE(missing.error);
  EXPECT_TRUE(is(*missing.error, errc::not_found)) << sys.render(*missing.error);
  EXPECT_TRUE(health.valkey);
  EXPECT_EQ(submitted(), 2);
}

// Updates that wait in the store's mailbox together go to Valkey in one
// script run, each requester answered alike: a worker pod's worker actors
// each flush their share of a round. The server is paused while six updates
// are sent, so whatever the store took first stays in its call and the rest
// queue behind it: at most two runs where one per update made six.
TEST_F(ValkeyStore, UpdatesThatWaitTogetherShareOneScriptRun) {
  start("", 1h);
  ASSERT_TRUE(wait_until([&] { return health.valkey.load(); }, 5s)) << "the first sweep";
  std::vector<task_record> tasks;
  for (int i = 0; i < 6; ++i)
    tasks.push_back(record());
  accept(tasks);
  server->admin({"CONFIG", "RESETSTAT"});
  server->pause();
  caf::scoped_actor self{sys};
  std::vector<decltype(self->request(store, 10s, update_atom::value, std::vector<task_record>{}))>
    replies;
  for (const auto& t : tasks)
    replies.push_back(self->request(store, 10s, update_atom::value,
                                    std::vector<task_record>{advanced(t, task_status::succeeded, 1)}));
  server->resume();
  int answered = 0;
  for (auto& reply : replies)
    reply.receive([&] { ++answered; },
                  [&](caf::error& e) { ADD_FAILURE() << sys.render(e); });
  EXPECT_EQ(answered, 6);
  const auto info = server->admin({"INFO", "commandstats"});
  const std::string stats(valkey::string_of(info.get()).value_or(""));
  const auto at = stats.find("cmdstat_evalsha:calls=");
  ASSERT_NE(at, std::string::npos) << stats;
  const auto runs = std::stoi(stats.substr(at + 22));
  EXPECT_GE(runs, 1);
  EXPECT_LE(runs, 2) << "one script run per update would be 6";
  for (const auto& t : tasks)
    EXPECT_EQ(stored(t.id).record.status, task_status::succeeded);
  EXPECT_EQ(ok(records->counters()).succeeded, 6);
}

// A worker sends its "running" update without waiting for an answer, then
// requests the final one. In CAF 0.17 an answer to that plain send reached
// the worker as an unexpected message, whose error reply came back and
// stopped the store: the pod never wrote a record again.
TEST_F(ValkeyStore, APlainSendGetsNoAnswerAndTheStoreKeepsServing) {
  start("", 1h);
  const auto t = record();
  accept({t});
  auto done = std::make_shared<std::promise<std::optional<caf::error>>>();
  auto finished = done->get_future();
  auto dest = store;
  const std::vector<task_record> running{advanced(t, task_status::running, 1)};
  const std::vector<task_record> failed{advanced(t, task_status::failed, 1)};
  // CAF's default handler for anything unexpected, as in the worker.
  sys.spawn([=](caf::event_based_actor* self) {
    self->send(dest, update_atom::value, running);
    self->request(dest, 10s, update_atom::value, failed)
      .then([=] { done->set_value(std::nullopt); },
            [=](caf::error& e) { done->set_value(e); });
  });
  ASSERT_EQ(finished.wait_for(15s), std::future_status::ready);
  const auto err = finished.get();
  ASSERT_FALSE(err) << sys.render(*err);
  const auto after = get(t.id);
  ASSERT_TRUE(after.value) << sys.render(after.error.value_or(caf::error{}));
  EXPECT_EQ(after.value->status, task_status::failed);
  EXPECT_FALSE(update({advanced(record(), task_status::succeeded, 1)}))
    << "the store still writes updates";
}

TEST_F(ValkeyStore, OpNamesMapToThisBuildsIndexes) {
  start();
  task_record r = record();
  const valkey::record_write w{r, "uppercase"};
  ok(records->admit({&w, 1}));
  const auto got = get(r.id);
  ASSERT_TRUE(got.value);
  EXPECT_EQ(got.value->op, op("uppercase"));

  // A type this build does not have: unavailable, not a wrong op.
  task_record alien = record();
  const valkey::record_write a{alien, "teleport"};
  ok(records->admit({&a, 1}));
  const auto bad = get(alien.id);
  ASSERT_TRUE(bad.error);
  EXPECT_TRUE(is(*bad.error, errc::unavailable)) << sys.render(*bad.error);
}

TEST_F(ValkeyStore, ErrorsReachTheRequesterWhileValkeyIsDown) {
  start();
  const task_record r = record();
  accept({r});
  server->kill();

  auto running = advanced(r, task_status::running, 1);
  const auto err = update({running});
  ASSERT_TRUE(err) << "the worker's error handler must run, so it does not ack";
  EXPECT_TRUE(is(*err, errc::unavailable)) << sys.render(*err);
  EXPECT_FALSE(health.valkey);

  const auto lookup = get(r.id);
  ASSERT_TRUE(lookup.error);
  EXPECT_TRUE(is(*lookup.error, errc::unavailable));

  // Back (empty: no AOF): writes work again without restarting the actor.
  server->restart();
  ASSERT_TRUE(wait_until([&] { return !update({running}); }, 5s));
  EXPECT_TRUE(health.valkey);
}

TEST_F(ValkeyStore, SweepPublishesRecordsHealthAndHeartbeat) {
  start("worker-a");
  accept({record(), record(), record()});
  ASSERT_TRUE(wait_until([&] { return gauges.records.load() == 3; }, 5s)) << gauges.records.load();
  EXPECT_TRUE(health.valkey);
  EXPECT_EQ(ok(records->count_workers()), 1);
  EXPECT_EQ(server->admin_integer({"EXISTS", "tm:worker:worker-a"}), 1);

  // A clean stop takes the worker out of the count at once.
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  store = store_actor{};
  EXPECT_TRUE(wait_until([&] { return ok(records->count_workers()) == 0; }, 5s));
}

TEST_F(ValkeyStore, NoHeartbeatWithoutWorkerId) {
  start();
  ASSERT_TRUE(wait_until([&] { return health.valkey.load(); }, 5s));
  EXPECT_EQ(ok(records->count_workers()), 0);
}

TEST_F(ValkeyStore, HealthFollowsTheServer) {
  start();
  ASSERT_TRUE(wait_until([&] { return health.valkey.load(); }, 5s));
  server->kill();
  ASSERT_TRUE(wait_until([&] { return !health.valkey.load(); }, 5s));
  server->restart();
  ASSERT_TRUE(wait_until([&] { return health.valkey.load(); }, 5s));
  // And the store serves again (not_found, not unavailable).
  const auto missing = get(task_id::generate());
  ASSERT_TRUE(missing.error);
  EXPECT_TRUE(is(*missing.error, errc::not_found)) << sys.render(*missing.error);
}

} // namespace
} // namespace taskmesh::cluster
