// File: transport/nats/pull_consumer.hpp
// A bound durable pull consumer (created by ensure_consumers) and its fetch.
//
// fetch() BLOCKS until at least one message is available or `expires` has
// passed, and returns at most `max` messages (empty on expiry).
//
// We speak JetStream's pull protocol ourselves instead of calling nats.c's
// natsSubscription_Fetch*, and we never let a pull request expire. Both
// because of bugs measured here (tests/cluster/delivery_test.cpp failed 1
// run in 5 with short-lived pulls):
//  - nats-server 2.9.10 (Debian): when a message is ready but every waiting
//    pull request has expired (or lost its interest), the server "fails to
//    deliver" it, and for a redelivery (NAK with delay) that goes wrong: the
//    message is not redelivered until AckWait, and an already delivered
//    message is sent again with a delivery count of 1 (upstream #5305 and
//    #5338, both fixed upstream in April 2024). Short expiring polls hit this
//    all the time; a request that stays open until it is filled does not.
//  - nats.c 3.4.1 (Debian): its Fetch reuses one reply subject for every
//    pull (#631) and mishandles messages that were already queued (#749).
// The protocol, as nats-server 2.9 speaks it:
//  - one plain subscription on `<inbox>.*`; each pull request gets its own
//    reply subject `<inbox>.<n>`, so a status is matched to its request;
//  - at most one request is open per consumer: {"batch": n}, no expiry. The
//    server sends messages as they become available until n have gone; a
//    4xx status (e.g. 409 "Consumer Deleted") ends it early. `credit_`
//    counts what it may still send. A new request goes out only once the
//    open one is filled, for at most the `max` of the fetch that sends it;
//    so what a pod holds unhanded-out never exceeds what it asked for;
//  - messages that arrived between fetches come first, marked late(): their
//    AckWait has been running since they arrived;
//  - a reconnect loses the open request on the server side: the next fetch
//    sends a new one (and so does one after check_recreated() found a new
//    consumer);
//  - deliveries still held or queued when the pull_consumer is destroyed
//    are NAKed: redelivered at once, to any pod.
// Outcomes (ack, nak, ...) are published to the message's reply subject by
// delivery, not through nats.c's natsMsg_Ack (which needs nats.c's own
// JetStream subscription).
//
// A consumer whose ack-pending count reaches MaxAckPending delivers nothing
// more until some are settled: fetch() then just expires empty. Settle
// every delivery (its destructor NAKs), and read consumer_stats.
//
// One fetch at a time per pull_consumer; deliveries may be settled from any
// thread. While the connection is down fetch() fails at once with
// NATS_CONNECTION_DISCONNECTED.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "transport/nats/connection.hpp"
#include "transport/nats/delivery.hpp"
#include "transport/nats/stream_setup.hpp"

namespace taskmesh::nats {

struct fetch_probe {
  std::atomic<std::uint64_t> fetches{0};        // fetch() calls
  std::atomic<std::uint64_t> pull_requests{0};  // requests sent to the server
  std::atomic<std::uint64_t> messages{0};       // deliveries handed out
  std::atomic<std::uint64_t> late{0};           // ... of which for an earlier request
  std::atomic<std::uint64_t> stale_statuses{0}; // statuses naming a request no longer open
  std::atomic<std::uint64_t> errors{0};
};

class pull_consumer {
public:
  // BLOCKS one JetStream API round trip (the consumer must exist).
  // `max_batch` (<= max_fetch_batch) bounds every fetch.
  static result<std::unique_ptr<pull_consumer>> bind(connection& conn, const std::string& stream,
                                                     const std::string& durable, int max_batch);

  // BLOCKS up to ~200 ms: stops the subscription (nats.c drain) and NAKs
  // every delivery it still held or received, so other pods get them at
  // once instead of after AckWait.
  ~pull_consumer();
  pull_consumer(const pull_consumer&) = delete;
  pull_consumer& operator=(const pull_consumer&) = delete;

  // BLOCKS up to `expires` (clamped to [0, max_fetch_expiry], plus
  // scheduling noise; 0 takes what is there). `max` is clamped to
  // [1, max_batch].
  result<std::vector<delivery>> fetch(int max, std::chrono::milliseconds expires);

  // BLOCKS one API round trip. When the consumer was deleted and created
  // again since bind (or the last check), forgets the open pull request:
  // the server dropped it with the old consumer, without a word. The next
  // fetch then sends a new one.
  error check_recreated();

  // BLOCKS one API round trip.
  result<consumer_stats> info();

  // Whether more messages are to be had: some arrived and wait here for the
  // next fetch, or the server said more wait in this consumer (the last
  // delivery received reported some pending; before the first, the
  // consumer's backlog at bind). A caller that finds nothing here yet may
  // wait a moment: the open (or next) request brings them.
  bool expects_more() const noexcept { return !held_.empty() || last_pending_ > 0; }

  const std::string& durable() const noexcept { return durable_; }
  // The reply-subject prefix of this consumer's pull requests (ends in a
  // dot): anything published to inbox() + "<token>" reaches fetch().
  const std::string& inbox() const noexcept { return inbox_; }
  int max_batch() const noexcept { return max_batch_; }
  const fetch_probe& probe() const noexcept { return probe_; }

private:
  pull_consumer(connection& conn, std::shared_ptr<natsSubscription> sub, std::string inbox,
                std::string stream, std::string durable, int max_batch, std::int64_t created_ns,
                std::uint64_t pending);

  error send_request(int batch);
  // Takes one message off the subscription, waiting up to `wait`: a
  // delivery goes to `out` (or to held_ once `out` holds `max`).
  struct arrival;
  arrival receive(std::chrono::milliseconds wait, bool late, std::vector<delivery>& out, int max);

  connection* conn_;
  std::shared_ptr<natsSubscription> sub_;
  std::string inbox_;
  std::string stream_;
  std::string durable_;
  std::string next_subject_; // $JS.API.CONSUMER.MSG.NEXT.<stream>.<durable>
  int max_batch_;
  std::int64_t created_ns_; // the consumer's creation time when we last looked
  std::uint64_t requests_ = 0;
  std::string open_reply_;          // reply subject of the open request
  int credit_ = 0;                  // messages the open request may still send; 0: none open
  std::uint64_t disconnects_ = 0;   // conn_->probe().disconnects when it was sent
  std::uint64_t last_pending_;      // num_pending of the last delivery received
  std::deque<delivery> held_;       // received beyond what a fetch could take
  fetch_probe probe_;
};

} // namespace taskmesh::nats
