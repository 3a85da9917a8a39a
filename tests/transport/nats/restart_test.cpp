// File: tests/transport/nats/restart_test.cpp
// Availability: publishes and fetches fail promptly while the server is
// down, the connection flag and events follow the server, everything works
// again after a restart on the same store (stored messages survive), a hung
// server costs at most the PubAck timeout, and a process may start before
// its server.
#include "tests/transport/nats/nats_fixture.hpp"

#include <mutex>

namespace taskmesh::nats_test {
namespace {

using Restart = NatsTest;

TEST_F(Restart, PublishFailsPromptlyWhileDownAndStoredMessagesSurviveARestart) {
  std::mutex mtx;
  std::vector<nats::connection_event> events;
  // A second connection that records its events (the fixture's has none).
  auto watched = nats::connection::open(cfg_.connection, [&](nats::connection_event e) {
    std::lock_guard lock(mtx);
    events.push_back(e);
  });
  ASSERT_TRUE(watched) << nats::to_string(watched.err());
  auto& conn = **watched;
  auto pub_r = nats::publisher::create(conn, cfg_.publish);
  ASSERT_TRUE(pub_r);
  auto& pub = **pub_r;

  for (const auto& r : pub.publish_batch(messages(cfg_.stream.high_subject(), "before", 5)))
    ASSERT_TRUE(r.ok()) << nats::to_string(r.err);

  server_->stop();
  ASSERT_TRUE(eventually([&] { return !conn.connected(); }, 2s));
  auto t = clock::now();
  const auto down = pub.publish_batch(messages(cfg_.stream.high_subject(), "down", 3));
  EXPECT_LT(ms_since(t), 50); // refused up front, no waiting for a PubAck
  for (const auto& r : down) {
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.err.is(NATS_CONNECTION_DISCONNECTED)) << nats::to_string(r.err);
  }

  server_->start();
  ASSERT_TRUE(eventually([&] { return conn.connected(); }, 3s)) << server_->log_tail();
  t = clock::now();
  for (const auto& r : pub.publish_batch(messages(cfg_.stream.high_subject(), "after", 3)))
    ASSERT_TRUE(r.ok()) << nats::to_string(r.err);
  EXPECT_LT(ms_since(t), 500);

  EXPECT_EQ(stream_messages(cfg_.stream.name), 8u); // the 5 from before the restart are there
  auto high = nats::pull_consumer::bind(conn, cfg_.stream.name, cfg_.consumer.high_durable(), 256);
  ASSERT_TRUE(high);
  auto got = (*high)->fetch(256, 1s);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 8u);
  EXPECT_EQ((*got)[0].msg_id(), "before-0");
  for (auto& d : *got)
    EXPECT_FALSE(d.ack());

  std::lock_guard lock(mtx);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0], nats::connection_event::disconnected);
  EXPECT_EQ(events[1], nats::connection_event::reconnected);
}

TEST_F(Restart, FetchFailsPromptlyWhileDown) {
  auto high = bind_high();
  ASSERT_TRUE(high);
  server_->stop();
  ASSERT_TRUE(eventually([&] { return !conn_->connected(); }, 2s));
  const auto t = clock::now();
  auto got = high->fetch(10, 2s);
  EXPECT_LT(ms_since(t), 50);
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.err().is(NATS_CONNECTION_DISCONNECTED)) << nats::to_string(got.err());
  server_->start();
  ASSERT_TRUE(eventually([&] { return conn_->connected(); }, 3s));
  publish_ok(messages(cfg_.stream.high_subject(), "x", 1));
  got = high->fetch(10, 1s);
  ASSERT_TRUE(got) << nats::to_string(got.err());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_FALSE(got->front().ack());
}

TEST_F(Restart, HungServerCostsAtMostThePubAckTimeout) {
  auto publish = cfg_.publish;
  publish.ack_timeout = 300ms;
  auto pub = nats::publisher::create(*conn_, publish);
  ASSERT_TRUE(pub);
  server_->freeze(); // sockets stay open, nothing answers: the client still thinks it is connected
  const auto t = clock::now();
  const auto results = (*pub)->publish_batch(messages(cfg_.stream.high_subject(), "hung", 3));
  const auto elapsed = ms_since(t);
  server_->thaw();
  EXPECT_GE(elapsed, 250);
  EXPECT_LE(elapsed, 300 + 250 + 100);
  for (const auto& r : results) {
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.err.is(NATS_TIMEOUT)) << nats::to_string(r.err);
  }
  // The timeout was ambiguous: the thawed server stores what it had read.
  // Publishing the same ids again is safe (de-duplicated).
  const auto again = (*pub)->publish_batch(messages(cfg_.stream.high_subject(), "hung", 3));
  for (const auto& r : again)
    ASSERT_TRUE(r.ok()) << nats::to_string(r.err);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 3u);
}

// publish_batch reads PubAcks from one inbox: those of a call that gave up
// arrive during a later call and must not be taken for its answers.
TEST_F(Restart, ALatePubAckIsNotTakenForALaterCallsAnswer) {
  auto publish = cfg_.publish;
  publish.ack_timeout = 200ms;
  auto pub = nats::publisher::create(*conn_, publish);
  ASSERT_TRUE(pub);
  server_->freeze();
  const auto late = (*pub)->publish_batch(messages(cfg_.stream.high_subject(), "late", 3));
  server_->thaw(); // stores the three (sequences 1-3) and sends their PubAcks now
  for (const auto& r : late)
    ASSERT_TRUE(r.err.is(NATS_TIMEOUT)) << nats::to_string(r.err);
  const auto fresh = (*pub)->publish_batch(messages(cfg_.stream.high_subject(), "fresh", 2));
  ASSERT_EQ(fresh.size(), 2u);
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    ASSERT_TRUE(fresh[i].ok()) << nats::to_string(fresh[i].err);
    EXPECT_FALSE(fresh[i].duplicate);
    EXPECT_EQ(fresh[i].sequence, 4 + i); // not 1 or 2: the late ones' answers
  }
  EXPECT_EQ(stream_messages(cfg_.stream.name), 5u);
}

TEST_F(Restart, ProcessMayStartBeforeItsServer) {
  server_->stop();
  std::mutex mtx;
  std::vector<nats::connection_event> events;
  const auto t = clock::now();
  auto early = nats::connection::open(cfg_.connection, [&](nats::connection_event e) {
    std::lock_guard lock(mtx);
    events.push_back(e);
  });
  ASSERT_TRUE(early) << nats::to_string(early.err());
  EXPECT_LT(ms_since(t), 1000);
  EXPECT_FALSE((*early)->connected()); // not ready yet

  server_->start();
  ASSERT_TRUE(eventually([&] { return (*early)->connected(); }, 3s));
  EXPECT_FALSE(nats::ensure_streams(**early, cfg_.stream));
  std::lock_guard lock(mtx);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front(), nats::connection_event::connected);
}

TEST_F(Restart, ClosingBeforeTheFirstConnectIsPrompt) {
  server_->stop();
  auto early = nats::connection::open(cfg_.connection);
  ASSERT_TRUE(early) << nats::to_string(early.err());
  const auto t = clock::now();
  early->reset(); // the closed callback must come, or the destructor waits its 2 s
  EXPECT_LT(ms_since(t), 1000);
}

TEST_F(Restart, WithoutRetryAMissingServerIsAnErrorAtOnce) {
  server_->stop();
  auto opts = cfg_.connection;
  opts.retry_on_failed_connect = false;
  const auto t = clock::now();
  auto c = nats::connection::open(opts);
  EXPECT_LT(ms_since(t), 1000);
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.err().is(NATS_NO_SERVER)) << nats::to_string(c.err());
}

} // namespace
} // namespace taskmesh::nats_test
