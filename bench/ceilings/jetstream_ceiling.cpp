// File: bench/ceilings/jetstream_ceiling.cpp
// taskmesh-jetstream-ceiling: what JetStream and the nats.c client can do on
// this machine at the batch sizes taskmesh uses, through the same library
// (transport/nats) and the same stream and consumer set-up (ensure_streams,
// ensure_consumers: WorkQueue, file storage, durable pull consumers,
// explicit ack, MaxAckPending), with nothing of taskmesh around it.
//
// Two threads on one connection, as in a taskmesh API pod plus a worker pod:
//   publisher  publisher::publish_batch (blocking until every PubAck), one
//              batch at a time like the API's jetstream_sink; each message
//              has a unique Nats-Msg-Id (taskmesh: the task id) and a
//              --payload-bytes body (a wordcount task on the wire is ~200 B)
//   consumer   fetch(--fetch-batch) from the normal lane (taskmesh's
//              --fetch-batch default: 64) and delivery::ack() each message,
//              with a plain pull_consumer, or with --fetcher priority the
//              worker's priority_fetcher over both lanes
//
// closed (default): published as fast as the PubAcks allow, in batches of
//   --publish-batch, for --duration (or --messages N); rate = messages /
//   (first publish .. last message received and its ack flushed to the
//   server). Latency there is mostly queueing: see open.
// open (--rate R): R messages/s for --duration after --warmup; every
//   publish takes all messages due by then (at most --max-round, like an
//   intake round); latency runs from each message's *due* time to its
//   receipt by the consumer, so a late publish is charged.
//
// Prints one JSON object: {"rate":..., "messages":..., ...}. Exit 1 on any
// failure (connect, set-up, a publish not stored, messages missing).
//
//   taskmesh-jetstream-ceiling --nats nats://127.0.0.1:4222 [--duration 5s | --messages 200000]
//   taskmesh-jetstream-ceiling --nats ... --rate 20000 --duration 5s --warmup 2s
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "transport/nats/connection.hpp"
#include "transport/nats/priority_fetcher.hpp"
#include "transport/nats/publisher.hpp"
#include "transport/nats/pull_consumer.hpp"
#include "transport/nats/stream_setup.hpp"

using namespace taskmesh;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

struct options {
  std::string nats;
  std::string stream = "CEILING";
  std::string prefix;            // default: ceiling<pid>
  std::int64_t messages = 0;      // closed loop: 0 = run for duration_s
  std::size_t payload_bytes = 200;
  int publish_batch = 64;
  int fetch_batch = 64;
  int max_ack_pending = 1024;
  int max_round = 1024;          // open loop: most messages one publish takes
  double rate = 0;               // 0: closed loop
  double duration_s = 5;
  double warmup_s = 0;
  std::string fetcher = "pull";  // pull | priority
  double timeout_s = 120;
};

std::int64_t ns_since(steady::time_point t0, steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t - t0).count();
}

[[noreturn]] void die(const std::string& what, const nats::error& e) {
  std::fprintf(stderr, "taskmesh-jetstream-ceiling: %s: %s\n", what.c_str(),
               nats::to_string(e).c_str());
  std::exit(1);
}

// Body: "<index> <stamp ns>\n" then 'x' up to payload_bytes.
std::string payload(std::int64_t index, std::int64_t stamp_ns, std::size_t size) {
  char head[64];
  const int n = std::snprintf(head, sizeof head, "%" PRId64 " %" PRId64 "\n", index, stamp_ns);
  std::string body(head, static_cast<std::size_t>(n));
  if (body.size() < size)
    body.append(size - body.size(), 'x');
  return body;
}

bool parse_payload(std::string_view data, std::int64_t& index, std::int64_t& stamp) {
  char buf[64];
  const auto n = std::min(data.size(), sizeof buf - 1);
  std::memcpy(buf, data.data(), n);
  buf[n] = '\0';
  return std::sscanf(buf, "%" SCNd64 " %" SCNd64, &index, &stamp) == 2;
}

double percentile(std::vector<std::int64_t>& xs, double q) {
  if (xs.empty())
    return 0;
  const auto k = static_cast<std::size_t>(
    std::clamp<double>(std::ceil(q / 100.0 * static_cast<double>(xs.size())) - 1, 0,
                       static_cast<double>(xs.size() - 1)));
  std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(k), xs.end());
  return static_cast<double>(xs[k]);
}

struct shared_state {
  std::atomic<std::int64_t> received{0};
  std::atomic<std::int64_t> published{0}; // handed to publish_batch so far
  std::atomic<bool> publishing_done{false};
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> publish_failed{0};
  std::atomic<std::uint64_t> duplicates{0};
  std::atomic<std::uint64_t> publish_calls{0};
  std::atomic<std::int64_t> max_publish_lag_ns{0};
};

} // namespace

int main(int argc, char** argv) try {
  options o;
  CLI::App app{"taskmesh-jetstream-ceiling: raw JetStream publish + fetch + ack rate (JSON)"};
  app.add_option("--nats", o.nats, "NATS URL")->required();
  app.add_option("--stream", o.stream, "stream name (created, WorkQueue, file storage)");
  app.add_option("--subject-prefix", o.prefix, "subjects <prefix>.tasks.*, durables (default ceiling<pid>)");
  app.add_option("--messages", o.messages, "closed loop: messages to publish and consume (0: --duration)")
    ->check(CLI::Range(std::int64_t{0}, std::int64_t{100'000'000}));
  app.add_option("--payload-bytes", o.payload_bytes, "message body size")->check(CLI::Range(32, 1 << 20));
  app.add_option("--publish-batch", o.publish_batch, "closed loop: messages per publish_batch")
    ->check(CLI::Range(1, 100'000));
  app.add_option("--fetch-batch", o.fetch_batch, "messages per fetch (taskmesh --fetch-batch)")
    ->check(CLI::Range(1, nats::max_fetch_batch));
  app.add_option("--max-ack-pending", o.max_ack_pending, "consumer MaxAckPending (taskmesh default)")
    ->check(CLI::Range(1, 1'000'000));
  app.add_option("--max-round", o.max_round, "open loop: most messages per publish_batch")
    ->check(CLI::Range(1, 100'000));
  app.add_option("--rate", o.rate, "open loop: messages/s (0: closed loop)")->check(CLI::Range(0.0, 1e8));
  app.add_option("--duration", o.duration_s, "seconds to publish (open loop: measured seconds)")->check(CLI::Range(0.01, 3600.0));
  app.add_option("--warmup", o.warmup_s, "open loop: seconds before the measured window")
    ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--fetcher", o.fetcher, "pull: one pull_consumer; priority: both lanes, as a worker")
    ->check(CLI::IsMember({"pull", "priority"}));
  app.add_option("--timeout", o.timeout_s, "give up after this many seconds");
  CLI11_PARSE(app, argc, argv);
  if (o.prefix.empty())
    o.prefix = "ceiling" + std::to_string(getpid());
  const bool open_loop = o.rate > 0;
  // Most messages to publish; a closed loop without --messages stops at --duration.
  const std::int64_t limit =
    open_loop ? std::max<std::int64_t>(1, static_cast<std::int64_t>(o.rate * (o.warmup_s + o.duration_s)))
    : o.messages > 0 ? o.messages
                     : std::numeric_limits<std::int64_t>::max();
  const auto publish_for = std::chrono::duration_cast<steady::duration>(
    std::chrono::duration<double>(o.duration_s));
  const std::int64_t warm =
    open_loop ? static_cast<std::int64_t>(o.rate * o.warmup_s) : 0; // messages not in the percentiles

  nats::nats_config cfg;
  cfg.connection.servers = o.nats;
  cfg.connection.name = "taskmesh-jetstream-ceiling";
  cfg.connection.retry_on_failed_connect = false;
  cfg.stream.name = o.stream;
  cfg.stream.subject_prefix = o.prefix;
  cfg.consumer.durable_prefix = o.prefix;
  cfg.consumer.max_ack_pending = o.max_ack_pending;
  cfg.consumer.max_batch = o.fetch_batch;
  auto conn_r = nats::connection::open(cfg.connection);
  if (!conn_r)
    die("connect " + o.nats, conn_r.err());
  auto& conn = **conn_r;
  if (auto e = nats::ensure_streams(conn, cfg.stream))
    die("ensure_streams", e);
  if (auto e = nats::ensure_consumers(conn, cfg.stream, cfg.consumer))
    die("ensure_consumers", e);
  auto pub_r = nats::publisher::create(conn, cfg.publish);
  if (!pub_r)
    die("publisher", pub_r.err());
  auto& pub = **pub_r;
  auto bind = [&](const std::string& durable) {
    auto c = nats::pull_consumer::bind(conn, cfg.stream.name, durable, o.fetch_batch);
    if (!c)
      die("bind " + durable, c.err());
    return std::move(*c);
  };
  auto normal = bind(cfg.consumer.normal_durable());
  auto high = o.fetcher == "priority" ? bind(cfg.consumer.high_durable()) : nullptr;
  std::unique_ptr<nats::priority_fetcher> fetcher;
  if (high)
    fetcher = std::make_unique<nats::priority_fetcher>(*high, *normal);

  shared_state sh;
  std::vector<std::int64_t> lat; // ns, consumer thread only; messages after the warm-up
  lat.reserve(open_loop ? static_cast<std::size_t>(limit) : 1u << 20);
  const std::string subject = cfg.stream.normal_subject();
  const std::string id_prefix = o.prefix + "-" + std::to_string(ns_since({}, steady::now())) + "-";
  const auto t0 = steady::now();
  const auto give_up = t0 + std::chrono::duration_cast<steady::duration>(
                              std::chrono::duration<double>(o.timeout_s));
  steady::time_point published_all{};

  std::thread publisher_thread([&] {
    std::int64_t next = 0;
    std::vector<nats::outgoing_message> batch;
    while (next < limit && !sh.stop.load()) {
      std::int64_t upto;
      const auto now = steady::now();
      if (!open_loop && o.messages == 0 && now - t0 >= publish_for)
        break;
      if (open_loop) {
        const auto due = static_cast<std::int64_t>(static_cast<double>(ns_since(t0, now)) * o.rate / 1e9) + 1;
        if (due <= next) {
          const auto wake = t0 + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                   static_cast<double>(next) * 1e9 / o.rate));
          std::this_thread::sleep_until(wake);
          continue;
        }
        upto = std::min({due, limit, next + o.max_round});
        const auto lag = ns_since(t0, now) - static_cast<std::int64_t>(static_cast<double>(next) * 1e9 / o.rate);
        if (next >= warm && lag > sh.max_publish_lag_ns.load())
          sh.max_publish_lag_ns.store(lag);
      } else {
        upto = std::min<std::int64_t>(limit, next + o.publish_batch);
      }
      batch.resize(static_cast<std::size_t>(upto - next));
      const auto call_ns = ns_since(t0, now);
      for (std::int64_t i = next; i < upto; ++i) {
        auto& m = batch[static_cast<std::size_t>(i - next)];
        const auto stamp = open_loop ? static_cast<std::int64_t>(static_cast<double>(i) * 1e9 / o.rate) : call_ns;
        m.subject = subject;
        m.msg_id = id_prefix + std::to_string(i);
        m.payload = payload(i, stamp, o.payload_bytes);
      }
      const auto results = pub.publish_batch(batch);
      sh.publish_calls.fetch_add(1);
      for (const auto& r : results) {
        if (!r.ok())
          sh.publish_failed.fetch_add(1);
        else if (r.duplicate)
          sh.duplicates.fetch_add(1);
      }
      if (sh.publish_failed.load() > 0) {
        std::fprintf(stderr, "taskmesh-jetstream-ceiling: %" PRIu64 " publishes not stored (first: %s)\n",
                     sh.publish_failed.load(),
                     nats::to_string(std::find_if(results.begin(), results.end(),
                                                  [](auto& r) { return !r.ok(); })->err).c_str());
        sh.stop.store(true);
        break;
      }
      next = upto;
      sh.published.store(next);
    }
    published_all = steady::now();
    sh.publishing_done.store(true);
  });

  std::int64_t bad = 0;
  std::thread consumer_thread([&] {
    for (;;) {
      const bool done = sh.publishing_done.load(); // before reading `published`
      if ((done && sh.received.load() >= sh.published.load()) || sh.stop.load())
        break;
      if (steady::now() > give_up) {
        std::fprintf(stderr, "taskmesh-jetstream-ceiling: timeout after %.0f s, %" PRId64 " of %" PRId64
                     " received\n", o.timeout_s, sh.received.load(), sh.published.load());
        sh.stop.store(true);
        return;
      }
      // A worker's dispatcher splits its credit 4:1 between the lanes.
      const nats::lane_quota quota{o.fetch_batch - o.fetch_batch / 5, o.fetch_batch / 5};
      auto got = fetcher ? fetcher->fetch(quota, 50ms) : normal->fetch(o.fetch_batch, 50ms);
      if (!got) {
        std::fprintf(stderr, "taskmesh-jetstream-ceiling: fetch: %s\n", nats::to_string(got.err()).c_str());
        sh.stop.store(true);
        return;
      }
      const auto now_ns = ns_since(t0, steady::now());
      for (auto& d : *got) {
        std::int64_t index = -1, stamp = 0;
        if (parse_payload(d.data(), index, stamp) && index >= 0 && index < limit) {
          if (index >= warm)
            lat.push_back(now_ns - stamp);
          sh.received.fetch_add(1);
        } else {
          ++bad;
        }
        if (auto e = d.ack()) {
          std::fprintf(stderr, "taskmesh-jetstream-ceiling: ack: %s\n", nats::to_string(e).c_str());
          sh.stop.store(true);
          return;
        }
      }
    }
  });
  publisher_thread.join();
  consumer_thread.join();
  // The last acks are on the wire once the server answered a PING after them.
  natsConnection_FlushTimeout(conn.raw(), 5000);
  const auto consumed = steady::now();
  // When the server has processed every ack (the stream is empty again).
  double acks_done_s = -1;
  for (int i = 0; i < 5000; ++i) {
    auto st = normal->info();
    if (st && st->ack_pending == 0 && st->pending == 0) {
      acks_done_s = std::chrono::duration<double>(steady::now() - t0).count();
      break;
    }
    std::this_thread::sleep_for(1ms);
  }
  const auto received = sh.received.load();
  const double secs = std::chrono::duration<double>(consumed - t0).count();
  const double pub_secs =
    published_all == steady::time_point{} ? 0 : std::chrono::duration<double>(published_all - t0).count();

  const std::int64_t total = sh.published.load();
  const double p50 = percentile(lat, 50) / 1000.0;
  const double p99 = percentile(lat, 99) / 1000.0;
  const double p999 = percentile(lat, 99.9) / 1000.0;
  const double mx = lat.empty() ? 0 : static_cast<double>(*std::max_element(lat.begin(), lat.end())) / 1000.0;

  std::printf(
    "{\"mode\":\"%s\",\"rate\":%.1f,\"messages\":%" PRId64 ",\"received\":%" PRId64
    ",\"duration_s\":%.4f,\"publish_s\":%.4f,\"acks_processed_s\":%.4f,\"offered_rate\":%.1f"
    ",\"publish_rate\":%.1f,\"publish_batch\":%d,\"max_round\":%d,\"publish_calls\":%" PRIu64
    ",\"mean_publish_batch\":%.1f,\"fetch_batch\":%d,\"fetcher\":\"%s\",\"max_ack_pending\":%d"
    ",\"payload_bytes\":%zu,\"publish_failed\":%" PRIu64 ",\"duplicates\":%" PRIu64
    ",\"bad_messages\":%" PRId64 ",\"pull_requests\":%" PRIu64 ",\"late\":%" PRIu64
    ",\"stale_statuses\":%" PRIu64 ",\"max_publish_lag_us\":%.1f"
    ",\"latency_us\":{\"samples\":%zu,\"p50\":%.1f,\"p99\":%.1f,\"p99_9\":%.1f,\"max\":%.1f}"
    ",\"nats_c\":\"%s\"}\n",
    open_loop ? "open" : "closed", secs > 0 ? static_cast<double>(received) / secs : 0.0, total, received,
    secs, pub_secs, acks_done_s, o.rate, pub_secs > 0 ? static_cast<double>(total) / pub_secs : 0.0,
    o.publish_batch, o.max_round, sh.publish_calls.load(),
    sh.publish_calls.load() ? static_cast<double>(total) / static_cast<double>(sh.publish_calls.load()) : 0.0,
    o.fetch_batch, o.fetcher.c_str(), o.max_ack_pending, o.payload_bytes, sh.publish_failed.load(),
    sh.duplicates.load(), bad,
    normal->probe().pull_requests.load() + (high ? high->probe().pull_requests.load() : 0),
    normal->probe().late.load() + (high ? high->probe().late.load() : 0),
    normal->probe().stale_statuses.load() + (high ? high->probe().stale_statuses.load() : 0),
    static_cast<double>(sh.max_publish_lag_ns.load()) / 1000.0, lat.size(), p50, p99, p999, mx,
    nats_GetVersion());
  std::fflush(stdout);
  fetcher.reset();
  high.reset();
  normal.reset();
  (*pub_r).reset();
  return received == total && sh.publish_failed.load() == 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "taskmesh-jetstream-ceiling: %s\n", e.what());
  return 1;
}
