// File: tests/transport/nats/stream_setup_test.cpp
// Provisioning against a real server: idempotent on every start, updates a
// changed configuration in place, refuses what the server refuses (and
// deletes nothing), and dead letters land in their own Limits stream.
#include "tests/transport/nats/nats_fixture.hpp"

namespace taskmesh::nats_test {
namespace {

using StreamSetup = NatsTest;

TEST_F(StreamSetup, EnsuringTwiceIsIdempotentAndKeepsMessages) {
  publish_ok(messages(cfg_.stream.high_subject(), "t", 3));
  // SetUp ensured once; a restarted process ensures again (twice more here).
  for (int i = 0; i < 2; ++i) {
    auto e = nats::ensure_streams(*conn_, cfg_.stream);
    EXPECT_FALSE(e) << nats::to_string(e);
    e = nats::ensure_consumers(*conn_, cfg_.stream, cfg_.consumer);
    EXPECT_FALSE(e) << nats::to_string(e);
  }
  EXPECT_EQ(stream_messages(cfg_.stream.name), 3u);
  EXPECT_EQ(stats(cfg_.consumer.high_durable()).pending, 3u);
  EXPECT_EQ(stream_messages(cfg_.stream.dead_stream()), 0u);
}

TEST_F(StreamSetup, ChangedConfigurationIsUpdatedInPlace) {
  publish_ok(messages(cfg_.stream.normal_subject(), "t", 2));
  auto stream = cfg_.stream;
  stream.duplicate_window = std::chrono::seconds(30);
  stream.max_msgs = 1000;
  auto consumer = cfg_.consumer;
  consumer.ack_wait = 2s;
  consumer.max_ack_pending = 64;
  consumer.max_batch = 64;
  auto e = nats::ensure_streams(*conn_, stream);
  ASSERT_FALSE(e) << nats::to_string(e);
  e = nats::ensure_consumers(*conn_, stream, consumer);
  ASSERT_FALSE(e) << nats::to_string(e);

  jsConsumerInfo* raw = nullptr;
  ASSERT_EQ(js_GetConsumerInfo(&raw, conn_->jetstream(), stream.name.c_str(),
                               consumer.normal_durable().c_str(), nullptr, nullptr),
            NATS_OK);
  nats::consumer_info_ptr info(raw);
  EXPECT_EQ(info->Config->AckWait, 2'000'000'000);
  EXPECT_EQ(info->Config->MaxAckPending, 64);
  EXPECT_EQ(info->Config->MaxRequestBatch, 64);
  EXPECT_EQ(info->NumPending, 2u); // same consumer, state kept

  jsStreamInfo* sraw = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&sraw, conn_->jetstream(), stream.name.c_str(), nullptr, nullptr),
            NATS_OK);
  nats::stream_info_ptr sinfo(sraw);
  EXPECT_EQ(sinfo->Config->Duplicates, 30'000'000'000);
  EXPECT_EQ(sinfo->Config->MaxMsgs, 1000);
  EXPECT_EQ(sinfo->Config->Retention, js_WorkQueuePolicy);
  EXPECT_EQ(sinfo->State.Msgs, 2u);
}

TEST_F(StreamSetup, RefusedChangeIsReportedAndNothingIsDeleted) {
  // A stream of that name with another retention (e.g. made by hand): the
  // server cannot change retention, so ensure must fail, not recreate.
  ASSERT_EQ(js_DeleteStream(conn_->jetstream(), cfg_.stream.name.c_str(), nullptr, nullptr), NATS_OK);
  const std::string high = cfg_.stream.high_subject();
  const char* subjects[] = {high.c_str()};
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  sc.Name = cfg_.stream.name.c_str();
  sc.Subjects = subjects;
  sc.SubjectsLen = 1;
  sc.Retention = js_LimitsPolicy;
  sc.Storage = js_FileStorage;
  jsStreamInfo* raw = nullptr;
  ASSERT_EQ(js_AddStream(&raw, conn_->jetstream(), &sc, nullptr, nullptr), NATS_OK);
  jsStreamInfo_Destroy(raw);
  publish_ok(messages(high, "keep", 1));

  const auto e = nats::ensure_streams(*conn_, cfg_.stream);
  ASSERT_TRUE(e);
  EXPECT_NE(e.js_code, 0) << nats::to_string(e);
  EXPECT_FALSE(e.text.empty());
  EXPECT_EQ(stream_messages(cfg_.stream.name), 1u);
}

TEST_F(StreamSetup, ReplicasAreConfigurableAndASingleServerRefusesThree) {
  auto stream = cfg_.stream;
  stream.name = "OTHER";
  stream.subject_prefix = "other";
  stream.replicas = 3;
  const auto e = nats::ensure_streams(*conn_, stream);
  ASSERT_TRUE(e);
  EXPECT_EQ(e.js_code, JSStreamReplicasNotSupportedErr) << nats::to_string(e);
}

TEST_F(StreamSetup, DeadLettersGoToTheirOwnLimitsStreamAndStayWhenRead) {
  publish_ok(messages(cfg_.stream.dead_subject(), "dead", 2));
  EXPECT_EQ(stream_messages(cfg_.stream.dead_stream()), 2u);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 0u);
  // Reading (and acking) through an ephemeral consumer does not remove them.
  natsSubscription* raw = nullptr;
  ASSERT_EQ(js_SubscribeSync(&raw, conn_->jetstream(), cfg_.stream.dead_subject().c_str(), nullptr,
                             nullptr, nullptr),
            NATS_OK);
  nats::subscription_ptr sub(raw);
  for (int i = 0; i < 2; ++i) {
    natsMsg* m = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&m, sub.get(), 2000), NATS_OK);
    nats::msg_ptr msg(m);
    EXPECT_EQ(natsMsg_AckSync(m, nullptr, nullptr), NATS_OK);
  }
  EXPECT_EQ(stream_messages(cfg_.stream.dead_stream()), 2u);
}

TEST_F(StreamSetup, ConsumerInfoOfAMissingConsumerIsAnError) {
  const auto s = nats::consumer_info(*conn_, cfg_.stream.name, "nobody");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.err().js_code, JSConsumerNotFoundErr) << nats::to_string(s.err());
}

} // namespace
} // namespace taskmesh::nats_test
