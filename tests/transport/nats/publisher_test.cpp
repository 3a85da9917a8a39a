// File: tests/transport/nats/publisher_test.cpp
// Publishing against a real server: every message of a batch gets its own
// PubAck (sequence), a repeated Nats-Msg-Id is flagged duplicate and stored
// once, headers (traceparent) travel, per-message callbacks, and a subject
// without a stream fails promptly.
#include "tests/transport/nats/nats_fixture.hpp"

#include <atomic>
#include <future>
#include <mutex>
#include <set>

namespace taskmesh::nats_test {
namespace {

using Publisher = NatsTest;

TEST_F(Publisher, BatchIsAckedMessageByMessageWithSequences) {
  auto pub = make_publisher();
  ASSERT_TRUE(pub);
  const auto batch = messages(cfg_.stream.high_subject(), "b", 300, 200);
  const auto results = pub->publish_batch(batch);
  ASSERT_EQ(results.size(), batch.size());
  std::set<std::uint64_t> seqs;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << nats::to_string(r.err);
    EXPECT_FALSE(r.duplicate);
    seqs.insert(r.sequence);
  }
  EXPECT_EQ(seqs.size(), 300u);
  EXPECT_EQ(*seqs.begin(), 1u);
  EXPECT_EQ(*seqs.rbegin(), 300u);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 300u);
  EXPECT_EQ(pub->probe().stored.load(), 300u);
}

TEST_F(Publisher, RepeatedMsgIdIsFlaggedDuplicateAndStoredOnce) {
  auto pub = make_publisher();
  ASSERT_TRUE(pub);
  auto first = messages(cfg_.stream.normal_subject(), "task", 1);
  const auto r1 = pub->publish_batch(first);
  ASSERT_TRUE(r1[0].ok());
  EXPECT_FALSE(r1[0].duplicate);

  // Again later, and twice within one batch.
  auto again = first;
  again.push_back(first[0]);
  again[1].payload = "different payload, same id";
  const auto r2 = pub->publish_batch(again);
  for (const auto& r : r2) {
    ASSERT_TRUE(r.ok()) << nats::to_string(r.err);
    EXPECT_TRUE(r.duplicate);
    EXPECT_EQ(r.sequence, r1[0].sequence);
  }
  EXPECT_EQ(stream_messages(cfg_.stream.name), 1u);
  EXPECT_EQ(pub->probe().duplicates.load(), 2u);

  // The async path carries the same id: a duplicate too.
  std::promise<nats::publish_result> async_result;
  pub->publish_async(first, [&](std::size_t, nats::publish_result r) {
    async_result.set_value(std::move(r));
  });
  auto answer = async_result.get_future();
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready);
  const auto r3 = answer.get();
  ASSERT_TRUE(r3.ok()) << nats::to_string(r3.err);
  EXPECT_TRUE(r3.duplicate);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 1u);
}

TEST_F(Publisher, TraceparentAndHeadersTravelWithTheMessage) {
  auto batch = messages(cfg_.stream.high_subject(), "h", 1);
  batch[0].traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  batch[0].headers = {{"Taskmesh-Op", "wordcount"}};
  publish_ok(batch);

  auto high = bind_high();
  ASSERT_TRUE(high);
  auto got = high->fetch(10, 1s);
  ASSERT_TRUE(got) << nats::to_string(got.err());
  ASSERT_EQ(got->size(), 1u);
  auto& d = got->front();
  EXPECT_EQ(d.traceparent(), batch[0].traceparent);
  EXPECT_EQ(d.msg_id(), "h-0");
  EXPECT_EQ(d.header("Taskmesh-Op").value_or(""), "wordcount");
  EXPECT_EQ(d.data(), batch[0].payload);
  EXPECT_EQ(d.subject(), cfg_.stream.high_subject());
  EXPECT_FALSE(d.ack());
}

TEST_F(Publisher, AsyncCallsBackOncePerMessage) {
  auto pub = make_publisher();
  ASSERT_TRUE(pub);
  const auto batch = messages(cfg_.stream.normal_subject(), "a", 500);
  std::mutex mtx;
  std::vector<int> calls(batch.size(), 0);
  std::atomic<int> done{0};
  pub->publish_async(batch, [&](std::size_t i, nats::publish_result r) {
    EXPECT_TRUE(r.ok()) << nats::to_string(r.err);
    std::lock_guard lock(mtx);
    ++calls[i];
    ++done;
  });
  ASSERT_TRUE(eventually([&] { return done.load() == 500; }, 5s));
  std::this_thread::sleep_for(50ms); // no second callback for anyone
  std::lock_guard lock(mtx);
  for (int c : calls)
    EXPECT_EQ(c, 1);
}

TEST_F(Publisher, SubjectWithoutStreamFailsPromptly) {
  auto pub = make_publisher();
  ASSERT_TRUE(pub);
  const auto t = clock::now();
  const auto results = pub->publish_batch(messages("nowhere.tasks", "x", 2));
  EXPECT_LT(ms_since(t), 500);
  for (const auto& r : results) {
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.err.is(NATS_NO_RESPONDERS)) << nats::to_string(r.err);
  }
}

TEST_F(Publisher, FullStreamRefusesNewTasks) {
  auto stream = cfg_.stream;
  stream.max_msgs = 2;
  ASSERT_FALSE(nats::ensure_streams(*conn_, stream));
  auto pub = make_publisher();
  ASSERT_TRUE(pub);
  const auto results = pub->publish_batch(messages(stream.high_subject(), "f", 3));
  EXPECT_TRUE(results[0].ok());
  EXPECT_TRUE(results[1].ok());
  ASSERT_FALSE(results[2].ok());
  EXPECT_NE(results[2].err.js_code, 0) << nats::to_string(results[2].err);
  EXPECT_EQ(stream_messages(stream.name), 2u);
}

} // namespace
} // namespace taskmesh::nats_test
