// File: tests/transport/cluster/jetstream_sink_test.cpp
// The API pod's JetStream publisher of tasks (used by cluster_admission)
// against a real nats-server -js (nats_fixture.hpp): a round lands on the
// subjects of its priorities, one envelope per lane or a message of its own
// under the task id, a re-publish is de-duplicated, a full stream refuses as
// queue_full, and with the server stopped or hung every task is refused
// within the publisher's bound.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "actors/codec/task_codec.hpp"
#include "tests/transport/nats/nats_fixture.hpp"
#include "transport/cluster/jetstream_sink.hpp"

namespace taskmesh::cluster_test {
namespace {

using namespace std::chrono_literals;
using nats_test::clock;
using nats_test::eventually;
using nats_test::ms_since;

class JetStreamSink : public nats_test::NatsTest {
protected:
  void SetUp() override {
    NatsTest::SetUp();
    if (HasFatalFailure())
      return;
    sink_ = std::make_unique<cluster::jetstream_sink>(conn_.get(), cfg_.stream, &ops_);
  }

  void TearDown() override { sink_.reset(); } // before the connection goes

  std::vector<task> make_tasks(int n, const std::string& payload = R"({"n":1})") {
    op_index echo = 0;
    EXPECT_NE(ops_.find("echo", &echo), nullptr);
    std::vector<task> out;
    for (int i = 0; i < n; ++i) {
      task t;
      t.id = task_id::generate();
      t.op = echo;
      t.prio = i % 2 == 0 ? priority::high : priority::normal;
      t.payload = payload;
      t.submitted_at = now_us();
      out.push_back(std::move(t));
    }
    return out;
  }

  struct answer {
    std::vector<task_id> refused; // in the order given
    bool queue_full = false;      // some were refused for a full stream
  };
  answer ask(const std::vector<task>& tasks) {
    const auto refusals = sink_->publish(tasks);
    EXPECT_EQ(refusals.size(), tasks.size());
    answer a;
    for (std::size_t i = 0; i < refusals.size() && i < tasks.size(); ++i) {
      if (refusals[i] != admission::refusal::none)
        a.refused.push_back(tasks[i].id);
      a.queue_full = a.queue_full || refusals[i] == admission::refusal::queue_full;
    }
    return a;
  }
  // The refused ids.
  std::vector<task_id> publish(const std::vector<task>& tasks) { return ask(tasks).refused; }

  static std::vector<task_id> ids_of(const std::vector<task>& tasks) {
    std::vector<task_id> ids;
    for (const auto& t : tasks)
      ids.push_back(t.id);
    return ids;
  }

  op_registry ops_ = op_registry::builtin();
  std::unique_ptr<cluster::jetstream_sink> sink_;
};

// Fetches every message of both lanes.
std::vector<nats::delivery> fetch_all(nats::pull_consumer& high, nats::pull_consumer& normal,
                                      std::size_t expected) {
  std::vector<nats::delivery> got;
  for (auto* c : {&high, &normal}) {
    auto r = c->fetch(static_cast<int>(expected), 1s);
    EXPECT_TRUE(r) << nats::to_string(r.err());
    if (r)
      for (auto& d : *r)
        got.push_back(std::move(d));
  }
  return got;
}

// One intake round becomes one message per lane (an envelope of its tasks),
// not one per task: that is what the per-message costs are paid for.
TEST_F(JetStreamSink, PublishesOneEnvelopePerLaneWithItsTasks) {
  auto tasks = make_tasks(10);
  EXPECT_TRUE(publish(tasks).empty());
  EXPECT_EQ(stream_messages(cfg_.stream.name), 2u);

  auto high = bind_high();
  auto normal = bind_normal();
  ASSERT_TRUE(high && normal);
  auto got = fetch_all(*high, *normal, 10);
  ASSERT_EQ(got.size(), 2u);
  std::size_t seen = 0;
  for (auto& d : got) {
    const auto decoded = tasks_from_wire(d.data(), ops_);
    ASSERT_EQ(decoded.size(), 5u) << d.data();
    const auto& head = std::get<task>(decoded.front());
    EXPECT_EQ(d.msg_id(), head.id.to_string() + "+5");
    for (const auto& one : decoded) {
      ASSERT_TRUE(std::holds_alternative<task>(one)) << d.data();
      const auto& t = std::get<task>(one);
      EXPECT_EQ(d.subject(), t.prio == priority::high ? cfg_.stream.high_subject()
                                                      : cfg_.stream.normal_subject());
      auto it = std::find_if(tasks.begin(), tasks.end(), [&](const task& x) { return x.id == t.id; });
      ASSERT_NE(it, tasks.end());
      EXPECT_EQ(t.payload, it->payload);
      EXPECT_EQ(t.prio, it->prio);
      ++seen;
    }
    EXPECT_FALSE(d.ack());
  }
  EXPECT_EQ(seen, 10u);
}

// A task with an idempotency key travels alone under its own id, so a
// take-over's re-publish (same id) is dropped by JetStream; so does the only
// task of a lane.
TEST_F(JetStreamSink, KeyedTasksAndLoneTasksAreMessagesOfTheirOwnUnderTheTaskId) {
  auto tasks = make_tasks(4); // high, normal, high, normal
  tasks[0].idempotency_key = "k-0";
  tasks[1].idempotency_key = "k-1";
  tasks[2].idempotency_key = "k-2";
  EXPECT_TRUE(publish(tasks).empty());
  EXPECT_EQ(stream_messages(cfg_.stream.name), 4u);
  EXPECT_TRUE(publish({tasks[0], tasks[3]}).empty()); // the same ids again: duplicates
  EXPECT_EQ(stream_messages(cfg_.stream.name), 4u);

  auto high = bind_high();
  auto normal = bind_normal();
  ASSERT_TRUE(high && normal);
  auto got = fetch_all(*high, *normal, 4);
  ASSERT_EQ(got.size(), 4u);
  for (auto& d : got) {
    auto decoded = task_from_wire(d.data(), ops_);
    ASSERT_TRUE(std::holds_alternative<task>(decoded)) << d.data();
    EXPECT_EQ(d.msg_id(), std::get<task>(decoded).id.to_string());
    EXPECT_FALSE(d.ack());
  }
}

TEST_F(JetStreamSink, ARoundPublishedAgainIsDeduplicated) {
  auto tasks = make_tasks(20);
  EXPECT_TRUE(publish(tasks).empty());
  EXPECT_TRUE(publish(tasks).empty()); // a retry: PubAcks say duplicate, nothing refused
  EXPECT_EQ(stream_messages(cfg_.stream.name), 2u);
  EXPECT_EQ(stats(cfg_.consumer.high_durable()).pending + stats(cfg_.consumer.normal_durable()).pending,
            2u);
}

// A lane's round is cut into envelopes of at most envelope_max_tasks.
TEST_F(JetStreamSink, ALargeRoundIsCutIntoBoundedEnvelopes) {
  auto tasks = make_tasks(2 * static_cast<int>(cluster::envelope_max_tasks) + 2);
  EXPECT_TRUE(publish(tasks).empty());
  EXPECT_EQ(stream_messages(cfg_.stream.name), 4u); // per lane: 256 + 1 -> two messages
}

// --queue-capacity in cluster mode: the stream's max_msgs with discard new.
// A round that does not fit is refused as queue_full (not unavailable), and
// accepted again once a message left the stream.
TEST_F(JetStreamSink, AFullStreamRefusesAsQueueFull) {
  cfg_.stream.max_msgs = 2;
  ASSERT_FALSE(nats::ensure_streams(*conn_, cfg_.stream));
  auto keyed = make_tasks(2); // a message each
  for (auto& t : keyed)
    t.idempotency_key = "k-" + t.id.to_string();
  auto a = ask(keyed);
  EXPECT_TRUE(a.refused.empty());
  EXPECT_FALSE(a.queue_full);

  auto more = make_tasks(3);
  a = ask(more);
  EXPECT_EQ(a.refused, ids_of(more));
  EXPECT_TRUE(a.queue_full);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 2u);

  auto high = bind_high(); // keyed[0] is high priority (make_tasks alternates)
  ASSERT_TRUE(high);
  auto taken = high->fetch(1, 2s);
  ASSERT_TRUE(taken) << nats::to_string(taken.err());
  ASSERT_EQ(taken->size(), 1u);
  ASSERT_FALSE(taken->front().ack_sync());
  a = ask(make_tasks(1));
  EXPECT_TRUE(a.refused.empty());
  EXPECT_FALSE(a.queue_full);
}

TEST_F(JetStreamSink, RefusesEveryIdAtOnceWhileTheServerIsDown) {
  server_->stop();
  ASSERT_TRUE(eventually([&] { return !conn_->connected(); }, 2s));
  auto tasks = make_tasks(8);
  const auto t = clock::now();
  EXPECT_EQ(publish(tasks), ids_of(tasks));
  EXPECT_LT(ms_since(t), 500);

  server_->start(); // and it recovers by itself
  ASSERT_TRUE(eventually([&] { return conn_->connected(); }, 3s)) << server_->log_tail();
  EXPECT_TRUE(publish(make_tasks(3)).empty());
}

TEST_F(JetStreamSink, RefusesEveryIdWithinTheAckTimeoutWhenTheServerHangs) {
  server_->freeze();
  auto tasks = make_tasks(5);
  const auto t = clock::now();
  EXPECT_EQ(publish(tasks), ids_of(tasks));
  const auto elapsed = ms_since(t);
  server_->thaw();
  // publish_options{} (the sink's): ack_timeout 2 s + 250 ms slack.
  EXPECT_GE(elapsed, 1'900);
  EXPECT_LE(elapsed, 2'250 + 750);
}

} // namespace
} // namespace taskmesh::cluster_test
