// File: transport/nats/pull_consumer.hpp
// A bound durable pull consumer (created by ensure_consumers) and its Fetch.
//
// fetch() is a one-shot long poll: it BLOCKS until at least one message is
// available or `expires` has passed, and returns at most `max` messages
// (empty on expiry). It sends one pull request with NoWait + Expires, which
// nats-server 2.9 answers with what is there at once, or with the first
// message(s) to arrive, or with a 408 at expiry.
//
// Working around nats.c 3.4.1 (Debian), measured in pull_consumer_test.cpp:
//  - #631 (Fetch not honouring its timeout): nats.c reuses one reply subject
//    for every pull of a subscription, so a 408 that arrives after a Fetch
//    gave up ends the *next* Fetch at once. We never send an expiry below
//    20 ms (nats.c then gives the server expires - 10 ms, so the 408 lands
//    inside the Fetch that asked for it), and an empty answer that comes
//    early is retried within the caller's expiry instead of being returned.
//  - #749 (heap overflow in _fetch): when the subscription already holds
//    messages at the start of a Fetch, nats.c 3.4.1 first takes those, then
//    lowers the batch of the request it sends, and may write past the
//    array it allocated for the original batch. We take such leftovers with
//    Batch = 1 Fetches (which return before sending anything), and send a
//    full batch only on an empty subscription; the batch is bounded by
//    max_fetch_batch (also the consumer's MaxRequestBatch). A Fetch that
//    ever returns more than asked aborts the process (the heap is damaged).
//  - Leftovers ("late" messages: delivered after the Fetch that asked for
//    them returned) come first in the next fetch and their AckWait has been
//    running since then; delivery::late() marks them.
//  - A consumer whose ack-pending count reaches MaxAckPending delivers
//    nothing more until some are settled: fetch() then just expires empty.
//    Settle every delivery (its destructor NAKs), and read consumer_stats.
//
// One fetch at a time per pull_consumer; deliveries may be settled from any
// thread. While the connection is down fetch() fails at once with
// NATS_CONNECTION_DISCONNECTED rather than queueing a pull request that a
// reconnect would deliver to nobody.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "transport/nats/connection.hpp"
#include "transport/nats/delivery.hpp"
#include "transport/nats/stream_setup.hpp"

namespace taskmesh::nats {

struct fetch_probe {
  std::atomic<std::uint64_t> fetches{0};       // fetch() calls
  std::atomic<std::uint64_t> pull_requests{0}; // nats.c Fetch calls
  std::atomic<std::uint64_t> messages{0};      // deliveries handed out
  std::atomic<std::uint64_t> late{0};          // ... of which leftovers
  std::atomic<std::uint64_t> early_empty{0};   // empty answers well before expiry, retried
  std::atomic<std::uint64_t> errors{0};
};

class pull_consumer {
public:
  // BLOCKS one JetStream API round trip (consumer lookup, api_timeout).
  // `max_batch` (<= max_fetch_batch) bounds every fetch.
  static result<std::unique_ptr<pull_consumer>> bind(connection& conn, const std::string& stream,
                                                     const std::string& durable, int max_batch);

  // BLOCKS up to `expires` (clamped to [min_fetch_expiry, max_fetch_expiry],
  // plus scheduling noise). `max` is clamped to [1, max_batch].
  result<std::vector<delivery>> fetch(int max, std::chrono::milliseconds expires);

  // BLOCKS one API round trip.
  result<consumer_stats> info();

  const std::string& durable() const noexcept { return durable_; }
  // The subscription's reply subject (diagnostics and tests).
  std::string inbox() const;
  int max_batch() const noexcept { return max_batch_; }
  const fetch_probe& probe() const noexcept { return probe_; }

private:
  pull_consumer(connection& conn, std::shared_ptr<natsSubscription> sub, std::string stream,
                std::string durable, int max_batch);

  struct pull;
  pull pull_once(int batch, std::chrono::milliseconds expires);
  int queued() const;

  connection* conn_;
  std::shared_ptr<natsSubscription> sub_;
  std::string stream_;
  std::string durable_;
  int max_batch_;
  fetch_probe probe_;
};

} // namespace taskmesh::nats
