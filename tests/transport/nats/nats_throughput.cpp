// File: tests/transport/nats/nats_throughput.cpp
// Not a test: a measurement tool (built with the tests, not run by CTest).
// Starts its own nats-server (file store in a temp dir), then measures
//   1. publish_batch: N messages in blocking batches of B (PubAck each);
//   2. publish_async: the same N pipelined (max_pending in flight);
//   3. fetch + ack: pull_consumer::fetch(B) and delivery::ack() until all N
//      are received, then until the server reports every ack processed.
// Usage: nats_throughput [N=100000] [payload_bytes=200] [batch=256]
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <condition_variable>

#include "tests/transport/nats/nats_fixture.hpp"

using namespace taskmesh;
using namespace taskmesh::nats_test;

namespace {

double seconds_since(clock::time_point t) {
  return std::chrono::duration<double>(clock::now() - t).count();
}

void check(const nats::error& e, const char* what) {
  if (e) {
    std::fprintf(stderr, "%s: %s\n", what, nats::to_string(e).c_str());
    std::exit(1);
  }
}

std::vector<nats::outgoing_message> make_batch(const std::string& subject, const std::string& tag,
                                               int from, int n, std::size_t size) {
  std::vector<nats::outgoing_message> out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& m = out[static_cast<std::size_t>(i)];
    m.subject = subject;
    m.msg_id = tag + std::to_string(from + i);
    m.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    m.payload.assign(size, 'x');
  }
  return out;
}

} // namespace

int main(int argc, char** argv) try {
  const int total = argc > 1 ? std::atoi(argv[1]) : 100'000;
  const std::size_t size = argc > 2 ? static_cast<std::size_t>(std::atoi(argv[2])) : 200;
  const int batch = argc > 3 ? std::atoi(argv[3]) : 256;

  nats_server server;
  auto cfg = test_config(server.url());
  cfg.consumer.ack_wait = 30s;
  cfg.consumer.max_ack_pending = 4096;
  cfg.publish.ack_timeout = 5s;
  cfg.stream.duplicate_window = std::chrono::seconds(120);
  auto conn_r = nats::connection::open(cfg.connection);
  check(conn_r ? nats::error{} : conn_r.err(), "connect");
  auto& conn = **conn_r;
  check(nats::ensure_streams(conn, cfg.stream), "ensure_streams");
  check(nats::ensure_consumers(conn, cfg.stream, cfg.consumer), "ensure_consumers");
  auto pub_r = nats::publisher::create(conn, cfg.publish);
  check(pub_r ? nats::error{} : pub_r.err(), "publisher");
  auto& pub = **pub_r;
  std::printf("nats-server %s, nats.c %s, %d messages x %zu bytes, batch %d\n", server.url().c_str(),
              nats_GetVersion(), total, size, batch);

  // 1. Blocking batches.
  auto t = clock::now();
  for (int i = 0; i < total; i += batch) {
    const int n = std::min(batch, total - i);
    const auto msgs = make_batch(cfg.stream.normal_subject(), "b-", i, n, size);
    for (const auto& r : pub.publish_batch(msgs))
      check(r.err, "publish_batch");
  }
  double s = seconds_since(t);
  std::printf("publish_batch (blocking, %d per batch): %.2f s, %.0f msg/s, %.1f MB/s\n", batch, s,
              total / s, total * static_cast<double>(size) / s / 1e6);

  // 2. Pipelined async publish of another N.
  std::mutex mtx;
  std::condition_variable cv;
  int acked = 0;
  int failed = 0;
  t = clock::now();
  for (int i = 0; i < total; i += batch) {
    const int n = std::min(batch, total - i);
    const auto msgs = make_batch(cfg.stream.high_subject(), "a-", i, n, size);
    pub.publish_async(msgs, [&](std::size_t, nats::publish_result r) {
      std::lock_guard lock(mtx);
      ++acked;
      failed += r.ok() ? 0 : 1;
      if (acked == total)
        cv.notify_all();
    });
  }
  {
    std::unique_lock lock(mtx);
    cv.wait(lock, [&] { return acked == total; });
  }
  s = seconds_since(t);
  std::printf("publish_async (pipelined, max_pending %d): %.2f s, %.0f msg/s (%d failed)\n",
              cfg.publish.max_pending, s, total / s, failed);

  // 3. Fetch + ack the normal lane.
  auto consumer_r = nats::pull_consumer::bind(conn, cfg.stream.name, cfg.consumer.normal_durable(),
                                              cfg.consumer.max_batch);
  check(consumer_r ? nats::error{} : consumer_r.err(), "bind");
  auto& consumer = **consumer_r;
  int received = 0;
  t = clock::now();
  while (received < total) {
    auto got = consumer.fetch(batch, 1s);
    check(got ? nats::error{} : got.err(), "fetch");
    if (got->empty())
      break;
    for (auto& d : *got)
      check(d.ack(), "ack");
    received += static_cast<int>(got->size());
  }
  const double fetched_s = seconds_since(t);
  while (true) {
    auto st = consumer.info();
    check(st ? nats::error{} : st.err(), "info");
    if (st->ack_pending == 0 && st->pending == 0)
      break;
    std::this_thread::sleep_for(1ms);
  }
  s = seconds_since(t);
  std::printf("fetch(%d) + ack: %d received in %.2f s (%.0f msg/s); all acks processed after %.2f s "
              "(%.0f msg/s); pull requests %llu, late %llu\n",
              batch, received, fetched_s, received / fetched_s, s, received / s,
              static_cast<unsigned long long>(consumer.probe().pull_requests.load()),
              static_cast<unsigned long long>(consumer.probe().late.load()));
  return received == total ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "nats_throughput: %s\n", e.what());
  return 1;
}
