// File: tests/transport/nats/pull_consumer_test.cpp
// Fetch and the message outcomes against a real server: our own pull
// protocol (a fetch honours its expiry even when an earlier request's
// status arrives during it; a full-size batch is exact; messages of earlier
// requests come first, marked late) and the measured behaviours
// pull_consumer.hpp documents (late leftovers, a consumer stuck at
// MaxAckPending). AckWait is 500 ms here.
#include "tests/transport/nats/nats_fixture.hpp"

#include <set>

namespace taskmesh::nats_test {
namespace {

using PullConsumer = NatsTest;

// Sends a raw pull request whose replies go to the consumer's inbox while
// no fetch runs: exactly how messages arrive after a fetch gave up.
void pull_into_inbox(nats::connection& conn, const nats::pull_consumer& c, const std::string& stream,
                     int batch) {
  const std::string subject = "$JS.API.CONSUMER.MSG.NEXT." + stream + "." + c.durable();
  const std::string body = "{\"batch\":" + std::to_string(batch) + "}";
  ASSERT_EQ(natsConnection_PublishRequestString(conn.raw(), subject.c_str(),
                                                (c.inbox() + "earlier").c_str(), body.c_str()),
            NATS_OK);
  ASSERT_EQ(natsConnection_FlushTimeout(conn.raw(), 1000), NATS_OK);
}

// Fetches until `n` deliveries came or `timeout` passed: a fetch returns
// what has arrived, and redeliveries do not say that more are coming.
std::vector<nats::delivery> fetch_n(nats::pull_consumer& c, std::size_t n,
                                    std::chrono::milliseconds timeout) {
  std::vector<nats::delivery> out;
  const auto deadline = clock::now() + timeout;
  while (out.size() < n && clock::now() < deadline) {
    auto got = c.fetch(static_cast<int>(n - out.size()), 100ms);
    if (!got)
      break;
    for (auto& d : *got)
      out.push_back(std::move(d));
  }
  return out;
}

TEST_F(PullConsumer, EmptyFetchReturnsWithinItsExpiryEveryTime) {
  auto high = bind_high();
  ASSERT_TRUE(high);
  auto check_empty_fetches = [&](const char* when) {
    for (int i = 0; i < 3; ++i) {
      const auto t = clock::now();
      auto got = high->fetch(10, 300ms);
      const auto elapsed = ms_since(t);
      ASSERT_TRUE(got) << nats::to_string(got.err());
      EXPECT_TRUE(got->empty());
      // Not late (the bug: a stale 408 or a lost timeout) and not early
      // (the bug: the next Fetch returning at once).
      EXPECT_LE(elapsed, 300 + 100) << when << " fetch " << i;
      EXPECT_GE(elapsed, 300 - 40) << when << " fetch " << i;
    }
  };
  check_empty_fetches("fresh stream");
  publish_ok(messages(cfg_.stream.high_subject(), "m", 1));
  auto got = high->fetch(10, 300ms);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_FALSE(got->front().ack());
  check_empty_fetches("after a message");
}

TEST_F(PullConsumer, StaleTimeoutOfAnEarlierPullDoesNotEndTheFetch) {
  // nats.c 3.4.1's bug #631, which our protocol must not have: an earlier
  // pull on the same inbox expires (408) while the next fetch runs. That
  // 408 names the earlier request, so fetch() keeps waiting its 500 ms.
  auto high = bind_high();
  ASSERT_TRUE(high);
  const std::string subject = "$JS.API.CONSUMER.MSG.NEXT." + cfg_.stream.name + "." + high->durable();
  ASSERT_EQ(natsConnection_PublishRequestString(conn_->raw(), subject.c_str(),
                                                (high->inbox() + "earlier").c_str(),
                                                "{\"batch\":1,\"expires\":150000000}"),
            NATS_OK);
  const auto t = clock::now();
  auto got = high->fetch(10, 500ms);
  const auto elapsed = ms_since(t);
  ASSERT_TRUE(got) << nats::to_string(got.err());
  EXPECT_TRUE(got->empty());
  EXPECT_GE(elapsed, 500 - 40);
  EXPECT_LE(elapsed, 500 + 100);
  EXPECT_EQ(high->probe().stale_statuses.load(), 1u);
  EXPECT_EQ(high->probe().pull_requests.load(), 1u);
}

TEST_F(PullConsumer, FetchReturnsAsSoonAsAMessageArrives) {
  auto high = bind_high();
  ASSERT_TRUE(high);
  std::thread later([&] {
    std::this_thread::sleep_for(150ms);
    publish_ok(messages(cfg_.stream.high_subject(), "late", 1));
  });
  const auto t = clock::now();
  auto got = high->fetch(256, 3s);
  const auto elapsed = ms_since(t);
  later.join();
  ASSERT_TRUE(got) << nats::to_string(got.err());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_GE(elapsed, 100);
  EXPECT_LT(elapsed, 1000); // the one-shot poll ends on the first arrival, not at expiry
  EXPECT_FALSE(got->front().ack());
}

TEST_F(PullConsumer, FetchesStayWithinTheMaximumBatchAndLoseNothing) {
  publish_ok(messages(cfg_.stream.normal_subject(), "n", 600, 200));
  auto normal = bind_normal();
  ASSERT_TRUE(normal);
  std::set<std::uint64_t> seqs;
  std::size_t fetches = 0;
  while (seqs.size() < 600 && fetches < 600) {
    auto got = normal->fetch(1000, 2s); // clamped to max_fetch_batch
    ++fetches;
    ASSERT_TRUE(got) << nats::to_string(got.err());
    ASSERT_FALSE(got->empty()) << "after " << seqs.size() << " messages";
    EXPECT_LE(static_cast<int>(got->size()), nats::max_fetch_batch);
    for (auto& d : *got) {
      EXPECT_TRUE(seqs.insert(d.stream_sequence()).second) << "twice: " << d.stream_sequence();
      EXPECT_EQ(d.num_delivered(), 1u);
      EXPECT_FALSE(d.ack());
    }
  }
  EXPECT_EQ(seqs.size(), 600u);
  // One open request of 256 at a time: three requests, however the
  // messages were split between fetches.
  EXPECT_EQ(normal->probe().pull_requests.load(), 3u);
  ASSERT_TRUE(eventually([&] { return stream_messages(cfg_.stream.name) == 0; }, 2s));
}

TEST_F(PullConsumer, ServerRefusesPullsAboveTheMaximumBatch) {
  // Defence in depth: the consumers carry MaxRequestBatch = max_batch, so
  // even a raw nats.c Fetch cannot ask for more than fetch() ever does.
  natsSubscription* raw = nullptr;
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = cfg_.stream.name.c_str();
  const std::string durable = cfg_.consumer.high_durable();
  so.Consumer = durable.c_str();
  ASSERT_EQ(js_PullSubscribe(&raw, conn_->jetstream(), nullptr, durable.c_str(), nullptr, &so, nullptr),
            NATS_OK);
  nats::subscription_ptr sub(raw);
  jsFetchRequest req;
  jsFetchRequest_Init(&req);
  req.Batch = nats::max_fetch_batch + 1;
  req.Expires = 200'000'000;
  nats::msg_list list;
  const natsStatus s = natsSubscription_FetchRequest(list.out(), sub.get(), &req);
  EXPECT_NE(s, NATS_OK);
  EXPECT_EQ(list.size(), 0);
  EXPECT_NE(std::string(nats_GetLastError(nullptr)).find("MaxRequestBatch"), std::string::npos)
    << nats_GetLastError(nullptr);
}

TEST_F(PullConsumer, LeftoversComeFirstAndMarkedLate) {
  publish_ok(messages(cfg_.stream.high_subject(), "l", 12));
  auto high = bind_high();
  ASSERT_TRUE(high);
  // 5 messages land in the subscription while nobody fetches (where nats.c
  // 3.4.1's own Fetch mishandled such leftovers, #749).
  pull_into_inbox(*conn_, *high, cfg_.stream.name, 5);
  std::this_thread::sleep_for(100ms);
  const auto before = high->probe().pull_requests.load();
  auto got = high->fetch(8, 1s);
  ASSERT_TRUE(got) << nats::to_string(got.err());
  ASSERT_EQ(got->size(), 5u);
  for (auto& d : *got) {
    EXPECT_TRUE(d.late());
    EXPECT_FALSE(d.ack());
  }
  EXPECT_EQ(high->probe().pull_requests.load(), before); // taken without asking the server
  auto rest = high->fetch(8, 1s);
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->size(), 7u);
  for (auto& d : *rest) {
    EXPECT_FALSE(d.late());
    EXPECT_FALSE(d.ack());
  }
}

TEST_F(PullConsumer, LeftoversBeyondTheBatchWaitForTheNextFetch) {
  publish_ok(messages(cfg_.stream.high_subject(), "l", 5));
  auto high = bind_high();
  ASSERT_TRUE(high);
  pull_into_inbox(*conn_, *high, cfg_.stream.name, 5);
  ASSERT_TRUE(eventually([&] { return stats(high->durable()).ack_pending == 5; }, 2s));
  std::this_thread::sleep_for(50ms); // all 5 in our inbox, not only sent
  std::set<std::uint64_t> seqs;
  for (std::size_t expected : {3u, 2u}) {
    auto got = high->fetch(3, 1s);
    ASSERT_TRUE(got) << nats::to_string(got.err());
    ASSERT_EQ(got->size(), expected);
    for (auto& d : *got) {
      EXPECT_TRUE(d.late());
      seqs.insert(d.stream_sequence());
      EXPECT_FALSE(d.ack());
    }
  }
  EXPECT_EQ(seqs.size(), 5u);
  EXPECT_EQ(high->probe().pull_requests.load(), 0u);
}

TEST_F(PullConsumer, FetchFromADeletedConsumerExpiresEmpty) {
  // Measured on nats-server 2.9.10: a pull to a consumer that is gone gets
  // no answer at all (no 404, no 503), so the fetch just expires. The
  // feeder re-ensures its consumers while fetches stay empty
  // (jetstream_feeder.cpp, idle_recheck).
  auto high = bind_high();
  ASSERT_TRUE(high);
  jsErrCode jerr{};
  ASSERT_EQ(js_DeleteConsumer(conn_->jetstream(), cfg_.stream.name.c_str(),
                              high->durable().c_str(), nullptr, &jerr),
            NATS_OK);
  const auto t = clock::now();
  auto got = high->fetch(10, 300ms);
  ASSERT_TRUE(got) << nats::to_string(got.err());
  EXPECT_TRUE(got->empty());
  EXPECT_GE(ms_since(t), 300 - 40);
  EXPECT_EQ(high->probe().errors.load(), 0u);
}

TEST_F(PullConsumer, LeftoverOlderThanAckWaitIsAlsoRedelivered) {
  // Measured, not assumed: a leftover's AckWait started when the server
  // sent it. Past AckWait the server redelivers it, so the same task shows
  // up twice: once late (NumDelivered 1), once redelivered (2).
  publish_ok(messages(cfg_.stream.high_subject(), "old", 3));
  auto high = bind_high();
  ASSERT_TRUE(high);
  pull_into_inbox(*conn_, *high, cfg_.stream.name, 3);
  std::this_thread::sleep_for(cfg_.consumer.ack_wait + 300ms);
  auto late = high->fetch(8, 1s);
  ASSERT_TRUE(late);
  ASSERT_EQ(late->size(), 3u);
  std::set<std::uint64_t> late_seqs;
  for (auto& d : *late) {
    EXPECT_TRUE(d.late());
    EXPECT_EQ(d.num_delivered(), 1u);
    late_seqs.insert(d.stream_sequence());
    d.abandon();
  }
  auto again = fetch_n(*high, 3, 2s);
  ASSERT_EQ(again.size(), 3u);
  for (auto& d : again) {
    EXPECT_EQ(d.num_delivered(), 2u);
    EXPECT_TRUE(late_seqs.count(d.stream_sequence()));
    EXPECT_FALSE(d.ack_sync());
  }
  EXPECT_EQ(stats(high->durable()).ack_pending, 0);
}

TEST_F(PullConsumer, AckRemovesTheMessageFromTheWorkQueue) {
  publish_ok(messages(cfg_.stream.high_subject(), "a", 10));
  auto high = bind_high();
  ASSERT_TRUE(high);
  auto got = high->fetch(10, 1s);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 10u);
  auto s = stats(high->durable());
  EXPECT_EQ(s.pending, 0u);
  EXPECT_EQ(s.ack_pending, 10);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 10u);
  for (auto& d : *got)
    ASSERT_FALSE(d.ack_sync());
  s = stats(high->durable());
  EXPECT_EQ(s.ack_pending, 0);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 0u);
}

TEST_F(PullConsumer, NakWithDelayRedeliversAfterTheDelay) {
  publish_ok(messages(cfg_.stream.normal_subject(), "retry", 1));
  auto normal = bind_normal();
  ASSERT_TRUE(normal);
  auto got = normal->fetch(1, 1s);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().num_delivered(), 1u);
  const auto seq = got->front().stream_sequence();
  const auto t = clock::now();
  ASSERT_FALSE(got->front().nak(300ms));

  auto early = normal->fetch(1, 150ms);
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->empty()) << "redelivered before the delay";
  auto again = normal->fetch(1, 2s);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_GE(ms_since(t), 280);
  EXPECT_LT(ms_since(t), 300 + 400); // well before AckWait would have mattered again
  EXPECT_EQ(again->front().num_delivered(), 2u);
  EXPECT_EQ(again->front().stream_sequence(), seq);
  EXPECT_FALSE(again->front().ack());
}

TEST_F(PullConsumer, UnackedMessageIsRedeliveredAfterAckWait) {
  publish_ok(messages(cfg_.stream.high_subject(), "lost", 1));
  auto high = bind_high();
  ASSERT_TRUE(high);
  auto got = high->fetch(1, 1s);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  const auto t = clock::now();
  got->front().abandon(); // a worker that died: nobody tells the server
  auto again = high->fetch(1, 2s);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_GE(ms_since(t), 400);
  EXPECT_EQ(again->front().num_delivered(), 2u);
  EXPECT_FALSE(again->front().ack());
}

TEST_F(PullConsumer, InProgressExtendsAckWait) {
  publish_ok(messages(cfg_.stream.high_subject(), "long", 1));
  auto high = bind_high();
  ASSERT_TRUE(high);
  auto got = high->fetch(1, 1s);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  auto& d = got->front();
  // 6 x 200 ms = 1.2 s of work, well past the 500 ms AckWait.
  for (int i = 0; i < 6; ++i) {
    ASSERT_FALSE(d.in_progress());
    auto other = high->fetch(1, 200ms);
    ASSERT_TRUE(other);
    EXPECT_TRUE(other->empty()) << "redelivered during in-progress work, step " << i;
  }
  EXPECT_EQ(d.num_delivered(), 1u);
  ASSERT_FALSE(d.ack_sync());
  EXPECT_EQ(stream_messages(cfg_.stream.name), 0u);
}

TEST_F(PullConsumer, DroppedDeliveryIsNakedAtOnce) {
  publish_ok(messages(cfg_.stream.high_subject(), "drop", 1));
  auto high = bind_high();
  ASSERT_TRUE(high);
  {
    auto got = high->fetch(1, 1s);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), 1u);
  } // destroyed unsettled
  const auto t = clock::now();
  auto again = high->fetch(1, 2s);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_LT(ms_since(t), 300); // not after AckWait
  EXPECT_EQ(again->front().num_delivered(), 2u);
  EXPECT_FALSE(again->front().ack());
}

TEST_F(PullConsumer, TermNeverRedeliversAndRemovesFromTheWorkQueue) {
  publish_ok(messages(cfg_.stream.high_subject(), "poison", 1));
  auto high = bind_high();
  ASSERT_TRUE(high);
  auto got = high->fetch(1, 1s);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  ASSERT_FALSE(got->front().term());
  auto again = high->fetch(1, cfg_.consumer.ack_wait + 200ms);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(stats(high->durable()).ack_pending, 0);
  EXPECT_EQ(stream_messages(cfg_.stream.name), 0u);
}

TEST_F(PullConsumer, ConsumerInfoCountsPendingAndAckPending) {
  publish_ok(messages(cfg_.stream.high_subject(), "h", 7));
  publish_ok(messages(cfg_.stream.normal_subject(), "n", 4));
  auto high = bind_high();
  ASSERT_TRUE(high);
  auto got = high->fetch(3, 1s);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 3u);
  auto s = high->info();
  ASSERT_TRUE(s) << nats::to_string(s.err());
  EXPECT_EQ(s->pending, 4u);
  EXPECT_EQ(s->ack_pending, 3);
  const auto n = stats(cfg_.consumer.normal_durable());
  EXPECT_EQ(n.pending, 4u);
  EXPECT_EQ(n.ack_pending, 0);
  for (auto& d : *got)
    ASSERT_FALSE(d.ack_sync());
  s = high->info();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->pending, 4u);
  EXPECT_EQ(s->ack_pending, 0);
  EXPECT_EQ(got->front().num_pending(), 6u); // left behind the first of 7
}

TEST_F(PullConsumer, ConsumerAtMaxAckPendingDeliversNothingMore) {
  auto consumer = cfg_.consumer;
  consumer.max_ack_pending = 4;
  consumer.max_batch = 4;
  consumer.ack_wait = 10s; // no redelivery of the held ones during the test
  ASSERT_FALSE(nats::ensure_consumers(*conn_, cfg_.stream, consumer));
  publish_ok(messages(cfg_.stream.high_subject(), "m", 10));
  auto high = bind(consumer.high_durable());
  ASSERT_TRUE(high);
  auto held = high->fetch(4, 1s);
  ASSERT_TRUE(held);
  ASSERT_EQ(held->size(), 4u);
  // Stuck: 6 messages waiting, none delivered while 4 are unsettled.
  auto none = high->fetch(4, 300ms);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto s = high->info();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ack_pending, 4);
  EXPECT_EQ(s->pending, 6u);
  // Settling one frees one slot: the open request gets that one message at
  // once, and fetch() returns it without waiting out its expiry.
  ASSERT_FALSE(held->front().ack_sync());
  const auto t = clock::now();
  auto one = high->fetch(4, 2s);
  const auto elapsed = ms_since(t);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->size(), 1u);
  EXPECT_LT(elapsed, 1000);
  for (auto& d : *one)
    EXPECT_FALSE(d.ack());
  for (std::size_t i = 1; i < held->size(); ++i)
    EXPECT_FALSE((*held)[i].ack());
}

} // namespace
} // namespace taskmesh::nats_test
