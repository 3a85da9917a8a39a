// File: transport/nats/pull_consumer.cpp
// fetch(): leftovers first (Batch = 1, see the header), then one-shot long
// polls until a message comes or the caller's expiry runs out.
#include "transport/nats/pull_consumer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace taskmesh::nats {

using clock = std::chrono::steady_clock;
using std::chrono::duration_cast;

struct pull_consumer::pull {
  error err; // empty also for "nothing came" (408/404 -> NATS_TIMEOUT/NATS_NOT_FOUND)
  msg_list msgs;
};

pull_consumer::pull_consumer(connection& conn, std::shared_ptr<natsSubscription> sub,
                             std::string stream, std::string durable, int max_batch)
  : conn_(&conn),
    sub_(std::move(sub)),
    stream_(std::move(stream)),
    durable_(std::move(durable)),
    max_batch_(max_batch) {}

result<std::unique_ptr<pull_consumer>> pull_consumer::bind(connection& conn,
                                                           const std::string& stream,
                                                           const std::string& durable,
                                                           int max_batch) {
  if (max_batch < 1 || max_batch > max_fetch_batch)
    return make_error(NATS_INVALID_ARG, "max_batch must be 1.." + std::to_string(max_fetch_batch));
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Consumer = durable.c_str();
  natsSubscription* raw = nullptr;
  if (auto e = js_call([&](jsErrCode* code) {
        return js_PullSubscribe(&raw, conn.jetstream(), nullptr, durable.c_str(), nullptr, &so, code);
      }))
    return e;
  std::shared_ptr<natsSubscription> sub(raw, [](natsSubscription* s) { natsSubscription_Destroy(s); });
  return std::unique_ptr<pull_consumer>(
    new pull_consumer(conn, std::move(sub), stream, durable, max_batch));
}

std::string pull_consumer::inbox() const {
  const char* s = natsSubscription_GetSubject(sub_.get());
  return s ? s : "";
}

int pull_consumer::queued() const {
  int msgs = 0;
  int bytes = 0;
  return natsSubscription_GetPending(sub_.get(), &msgs, &bytes) == NATS_OK ? msgs : 0;
}

pull_consumer::pull pull_consumer::pull_once(int batch, std::chrono::milliseconds expires) {
  jsFetchRequest req; // fresh each time: nats.c rewrites Batch/Expires/NoWait in place
  jsFetchRequest_Init(&req);
  req.Batch = batch;
  req.Expires = duration_cast<std::chrono::nanoseconds>(expires).count();
  req.NoWait = true;
  pull out;
  probe_.pull_requests.fetch_add(1, std::memory_order_relaxed);
  const natsStatus s = natsSubscription_FetchRequest(out.msgs.out(), sub_.get(), &req);
  if (out.msgs.size() > batch) {
    std::fprintf(stderr,
                 "taskmesh: nats.c Fetch returned %d messages for a batch of %d: heap overflow "
                 "(nats.c #749); aborting\n",
                 out.msgs.size(), batch);
    std::abort();
  }
  if (s != NATS_OK && s != NATS_TIMEOUT && s != NATS_NOT_FOUND)
    out.err = from_status(s);
  return out;
}

result<std::vector<delivery>> pull_consumer::fetch(int max, std::chrono::milliseconds expires) {
  probe_.fetches.fetch_add(1, std::memory_order_relaxed);
  max = std::clamp(max, 1, max_batch_);
  expires = std::clamp(expires, min_fetch_expiry, max_fetch_expiry);
  const auto deadline = clock::now() + expires;
  std::vector<delivery> out;

  auto take = [&](pull& p, bool late) {
    for (int i = 0; i < p.msgs.size(); ++i)
      out.emplace_back(p.msgs.take(i), sub_, late);
    probe_.messages.fetch_add(static_cast<std::uint64_t>(p.msgs.size()), std::memory_order_relaxed);
    if (late)
      probe_.late.fetch_add(static_cast<std::uint64_t>(p.msgs.size()), std::memory_order_relaxed);
  };
  auto failed = [&](error e) -> result<std::vector<delivery>> {
    probe_.errors.fetch_add(1, std::memory_order_relaxed);
    return e;
  };

  if (natsConnection_Status(conn_->raw()) != NATS_CONN_STATUS_CONNECTED)
    return failed(make_error(NATS_CONNECTION_DISCONNECTED, "not connected to NATS"));

  // 1. Leftovers, one per Fetch: with Batch = 1 nats.c returns as soon as
  //    it took one from the subscription and never resizes a request
  //    (#749). If only stale status messages were queued, it discards them
  //    and sends a real 1-message pull with the shortest expiry.
  while (static_cast<int>(out.size()) < max && queued() > 0) {
    auto p = pull_once(1, min_fetch_expiry);
    if (p.err) {
      if (out.empty())
        return failed(std::move(p.err));
      break;
    }
    if (p.msgs.size() == 0)
      break;
    take(p, true);
  }
  if (!out.empty())
    return out;

  // 2. One-shot long polls until something comes or time is up.
  auto backoff = std::chrono::milliseconds(2);
  for (;;) {
    // Rounded up: a 20 ms fetch must still send its 20 ms pull.
    const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
    if (remaining < min_fetch_expiry)
      return out;
    const auto started = clock::now();
    auto p = pull_once(max, remaining);
    if (p.err)
      return failed(std::move(p.err));
    if (p.msgs.size() > 0) {
      take(p, false);
      return out;
    }
    // Empty. At the server's expiry (remaining - 10 ms) that is the answer;
    // much earlier it was a stale 408 (#631) or an immediate 404: try again
    // with what is left, pausing a little so repeated 404s cannot spin.
    if (clock::now() - started < remaining - std::chrono::milliseconds(15)) {
      probe_.early_empty.fetch_add(1, std::memory_order_relaxed);
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
      std::this_thread::sleep_for(std::min(backoff, left - min_fetch_expiry));
      backoff = std::min(backoff * 2, std::chrono::milliseconds(50));
    }
  }
}

result<consumer_stats> pull_consumer::info() {
  // natsSubscription_GetConsumerInfo refuses subscriptions bound to an
  // existing consumer in nats.c 3.4.1 (NATS_INVALID_SUBSCRIPTION).
  return consumer_info(*conn_, stream_, durable_);
}

} // namespace taskmesh::nats
