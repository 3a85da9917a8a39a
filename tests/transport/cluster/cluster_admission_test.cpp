// File: tests/transport/cluster/cluster_admission_test.cpp
// The cluster admission seam against a real nats-server -js and a real
// redis-server, on a threaded actor system (the actor is detached and
// blocks in nats.c and hiredis): the order reserve -> publish (PubAck) ->
// record, checked from outside. An admitted task is in the stream and has
// its queued record; a duplicate publishes nothing; a claim without a
// record is taken over under its id; what JetStream refused (full stream:
// queue_full; server down: unavailable) gets no record; with Valkey down a
// round is refused before anything is published; a round past its deadline
// touches nothing; a failed record step still admits (the task is durable).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "tests/support/wait.hpp"
#include "tests/transport/cluster/threaded_config.hpp"
#include "tests/transport/nats/nats_fixture.hpp"
#include "tests/transport/valkey/redis_server.hpp"
#include "transport/cluster/cluster_admission.hpp"
#include "transport/valkey/client.hpp"
#include "transport/valkey/task_records.hpp"

namespace taskmesh::cluster_test {
namespace {

using namespace std::chrono_literals;
using refusal = admission::refusal;

class ClusterAdmission : public nats_test::NatsTest {
protected:
  void SetUp() override {
    NatsTest::SetUp();
    if (HasFatalFailure())
      return;
    try {
      redis_ = std::make_unique<valkey::testing::redis_server>();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
    valkey_ = std::make_unique<valkey::client>(redis_->config());
    records_ = std::make_unique<valkey::task_records>(*valkey_, records_options());
    sys_ = std::make_unique<caf::actor_system>(sys_cfg_);
    start();
  }

  void TearDown() override {
    if (sys_) {
      caf::anon_send_exit(seam_, caf::exit_reason::user_shutdown);
      seam_ = nullptr;
      sys_.reset(); // waits for the actor; before the connection and servers go
    }
  }

  static valkey::records_options records_options() { return {"tm", 60s, 256}; }

  void start() {
    if (seam_)
      caf::anon_send_exit(seam_, caf::exit_reason::user_shutdown);
    cluster::cluster_admission_config c;
    c.valkey = redis_->config();
    c.records = records_options();
    c.stream = cfg_.stream;
    seam_ = cluster::spawn_cluster_admission(*sys_, c, conn_.get(), &ops_, &health_);
  }

  task make_task(std::string key = "", priority prio = priority::normal) {
    op_index echo = 0;
    EXPECT_NE(ops_.find("echo", &echo), nullptr);
    task t;
    t.id = task_id::generate();
    t.op = echo;
    t.prio = prio;
    t.payload = R"({"n":1})";
    t.submitted_at = now_us();
    t.idempotency_key = std::move(key);
    return t;
  }

  admission_answer admit(std::vector<task> tasks, caf::timespan due_in = 10s) {
    caf::scoped_actor self{*sys_};
    admission_answer out;
    self->request(seam_, caf::infinite, admit_atom::value,
                  admission_request{std::move(tasks), sys_->clock().now() + due_in})
      .receive([&](admission_answer& a) { out = std::move(a); },
               [&](caf::error& e) { ADD_FAILURE() << sys_->render(e); });
    return out;
  }

  std::optional<task_status> recorded(const task_id& id) {
    auto r = records_->get(id);
    EXPECT_TRUE(r) << r.err().message;
    if (!r || !*r)
      return std::nullopt;
    return (*r)->record.status;
  }

  std::int64_t submitted() {
    auto c = records_->counters();
    EXPECT_TRUE(c) << c.err().message;
    return c ? c->submitted : -1;
  }

  op_registry ops_ = op_registry::builtin();
  cluster::dependency_health health_;
  std::unique_ptr<valkey::testing::redis_server> redis_;
  std::unique_ptr<valkey::client> valkey_;
  std::unique_ptr<valkey::task_records> records_;
  threaded_config sys_cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  admission_actor seam_;
};

TEST_F(ClusterAdmission, AnAdmittedTaskIsInTheStreamAndRecorded) {
  auto a = make_task();
  auto b = make_task();
  auto keyed = make_task("order-1", priority::high);
  const auto answer = admit({a, b, keyed});
  ASSERT_EQ(answer.admissions.size(), 3u);
  for (const auto& x : answer.admissions) {
    EXPECT_EQ(x.refused, refusal::none);
    EXPECT_FALSE(x.duplicate);
    EXPECT_EQ(x.status, task_status::queued);
  }
  EXPECT_EQ(answer.admissions[2].id, keyed.id);
  EXPECT_TRUE(answer.run_here.empty()) << "worker pods take them from JetStream";
  // a and b share an envelope; the keyed task is a message of its own.
  EXPECT_EQ(stream_messages(cfg_.stream.name), 2u);
  for (const auto& t : {a, b, keyed})
    EXPECT_EQ(recorded(t.id), task_status::queued);
  EXPECT_EQ(submitted(), 3);
  EXPECT_TRUE(health_.valkey);
}

TEST_F(ClusterAdmission, ADuplicateOfARecordedTaskPublishesNothing) {
  const auto original = make_task("order-1");
  ASSERT_EQ(admit({original}).admissions.at(0).refused, refusal::none);
  const auto answer = admit({make_task("order-1")});
  ASSERT_EQ(answer.admissions.size(), 1u);
  const auto& dup = answer.admissions[0];
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.id, original.id);
  EXPECT_EQ(dup.status, task_status::queued);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 1u);
  EXPECT_EQ(submitted(), 1);
}

// A request that claimed the key and died before publishing: the retry is
// published under the claim's id (JetStream would drop a second copy) and
// answered as a duplicate of it.
TEST_F(ClusterAdmission, AClaimWithoutARecordIsTakenOverUnderItsId) {
  const auto died = make_task("retry-me");
  const valkey::key_claim k{died.id, died.idempotency_key};
  ASSERT_TRUE(records_->claim_keys({&k, 1}));
  const auto answer = admit({make_task("retry-me")});
  ASSERT_EQ(answer.admissions.size(), 1u);
  EXPECT_TRUE(answer.admissions[0].duplicate);
  EXPECT_EQ(answer.admissions[0].id, died.id);
  EXPECT_EQ(answer.admissions[0].refused, refusal::none);
  EXPECT_EQ(recorded(died.id), task_status::queued);
  auto normal = bind_normal();
  ASSERT_TRUE(normal);
  auto got = normal->fetch(1, 1s);
  ASSERT_TRUE(got && got->size() == 1u);
  EXPECT_EQ(got->front().msg_id(), died.id.to_string());
}

// --queue-capacity: the stream's max_msgs with discard new. A refused task
// is answered queue_full and gets no record.
TEST_F(ClusterAdmission, AFullStreamRefusesAsQueueFullAndRecordsNothing) {
  cfg_.stream.max_msgs = 1;
  ASSERT_FALSE(nats::ensure_streams(*conn_, cfg_.stream));
  ASSERT_EQ(admit({make_task("a")}).admissions.at(0).refused, refusal::none);
  const auto refused = make_task("b");
  const auto answer = admit({refused});
  EXPECT_EQ(answer.admissions.at(0).refused, refusal::queue_full);
  EXPECT_EQ(recorded(refused.id), std::nullopt);
  EXPECT_EQ(submitted(), 1);
}

TEST_F(ClusterAdmission, NatsDownRefusesAsUnavailableAndRecordsNothing) {
  server_->stop();
  ASSERT_TRUE(nats_test::eventually([&] { return !conn_->connected(); }, 2s));
  const auto t = make_task();
  const auto answer = admit({t});
  EXPECT_EQ(answer.admissions.at(0).refused, refusal::unavailable);
  EXPECT_EQ(recorded(t.id), std::nullopt);
}

// Without Valkey no key can be settled: nothing is published. Rounds
// without keys are refused too while Valkey is known to be down (their
// records could not be written), and all is well once it is back.
TEST_F(ClusterAdmission, ValkeyDownRefusesBeforePublishing) {
  redis_->kill();
  const auto keyed = admit({make_task("k")});
  EXPECT_EQ(keyed.admissions.at(0).refused, refusal::unavailable);
  EXPECT_FALSE(health_.valkey);
  const auto plain = admit({make_task()});
  EXPECT_EQ(plain.admissions.at(0).refused, refusal::unavailable);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 0u);

  redis_->restart();
  const auto back = make_task("k");
  ASSERT_TRUE(test_support::wait_until(
    [&] { return admit({back}).admissions.at(0).refused == refusal::none; }, 5s));
  EXPECT_EQ(recorded(back.id), task_status::queued);
  EXPECT_TRUE(health_.valkey);
}

// Intake has answered 503 by the deadline: nothing is claimed, published or
// recorded for a round reached later, and the key stays free.
TEST_F(ClusterAdmission, ARoundPastItsDeadlineTouchesNothing) {
  const auto late = make_task("late");
  const auto answer = admit({late, make_task()}, caf::timespan{0});
  for (const auto& a : answer.admissions)
    EXPECT_EQ(a.refused, refusal::unavailable);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 0u);
  EXPECT_EQ(recorded(late.id), std::nullopt);
  const auto retry = admit({make_task("late")});
  EXPECT_FALSE(retry.admissions.at(0).duplicate);
}

// Valkey stopped between two health checks: a keyless round goes ahead
// (no Valkey call before publishing), and JetStream has the task, so the
// failed record step is no reason to refuse it: its worker writes the record.
TEST_F(ClusterAdmission, AFailedRecordStillAdmits) {
  health_.valkey = true; // as the store's last sweep saw it
  redis_->kill();
  const auto answer = admit({make_task()});
  EXPECT_EQ(answer.admissions.at(0).refused, refusal::none);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 1u);
  EXPECT_FALSE(health_.valkey);
}

} // namespace
} // namespace taskmesh::cluster_test
