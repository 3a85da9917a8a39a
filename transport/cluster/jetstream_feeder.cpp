// File: transport/cluster/jetstream_feeder.cpp
// A detached actor that answers the dispatcher's feed requests from
// JetStream (contract: jetstream_feeder.hpp). A request is kept (a response
// promise) until a fetch brings tasks: each fetch blocks at most idle_wait,
// and between two fetches the mailbox runs (a tick to itself), so the actor
// stays responsive to exit messages. After a failed fetch (NATS down) the
// next one waits idle_wait. While the process drains (gauges->draining) the
// request is answered empty and nothing new is fetched; deliveries the open
// pull request brought meanwhile are NAKed when the consumers go, so other
// pods get them at once.
#include "transport/cluster/jetstream_feeder.hpp"

#include <algorithm>
#include <optional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

#include "actors/codec/task_codec.hpp"
#include "actors/model/clock.hpp"
#include "transport/cluster/envelope_receipt.hpp"
#include "transport/cluster/nats_receipt.hpp"
#include "transport/cluster/task_event_relay.hpp"
#include "transport/nats/priority_fetcher.hpp"
#include "transport/nats/publisher.hpp"
#include "transport/nats/pull_consumer.hpp"
#include "transport/nats/stream_setup.hpp"

namespace taskmesh::cluster {
namespace {

using steady = std::chrono::steady_clock;

// The work source interface plus the feeder's own "fetch again" timer.
using feeder_actor = work_source_actor::extend<caf::reacts_to<tick_atom>>;

// Stream/consumer set-up that failed is tried again at most this often
// (each try BLOCKS up to a few api_timeouts when the server hangs).
constexpr std::chrono::milliseconds setup_retry{1'000};
// A pull to a consumer that no longer exists (deleted by an operator, lost
// with the server's store) just comes back empty. While fetches stay empty
// the consumers are ensured again this often, so the pod heals itself.
constexpr std::chrono::milliseconds idle_recheck{5'000};

struct feeder_state {
  static inline const char* name = "jetstream_feeder";
  nats::connection* conn = nullptr;
  nats::stream_options stream;
  nats::consumer_options consumers;
  feeder_config config;
  const op_registry* ops = nullptr;
  const pipeline_gauges* gauges = nullptr;

  // Shared with every receipt handed out (dead-letter publisher, warnings).
  std::shared_ptr<receipt_context> receipts;
  // Declaration order: the fetcher refers to the consumers.
  std::unique_ptr<nats::pull_consumer> high;
  std::unique_ptr<nats::pull_consumer> normal;
  std::unique_ptr<nats::priority_fetcher> fetcher;
  steady::time_point next_setup{};
  bool recheck = false; // ensure the streams and consumers again before fetching
  steady::time_point last_recheck = steady::now(); // or the last fetch that got messages

  // The dispatcher's open request and its credit, in tasks per lane.
  std::optional<caf::typed_response_promise<std::vector<task>>> request;
  std::uint32_t credit_high = 0;
  std::uint32_t credit_normal = 0;
  bool tick_pending = false;     // a "fetch again" tick is on its way
  double tasks_per_message = 1;  // moving average: an envelope carries many
};

using self_ptr = feeder_actor::stateful_pointer<feeder_state>;

std::shared_ptr<receipt_context> make_receipt_context(feeder_state& st) {
  auto ctx = std::make_shared<receipt_context>();
  ctx->dead_subject = st.stream.dead_subject();
  if (st.config.metrics)
    ctx->pending_acks = st.config.metrics->nats_pending_acks;
  auto pub = nats::publisher::create(*st.conn, nats::publish_options{});
  if (pub)
    ctx->dead_letters = std::move(*pub);
  else
    ctx->warnings.warn("jetstream feeder: no dead-letter publisher (retried)", pub.err());
  return ctx;
}

// Ensures the streams and consumers (idempotent; the app may have done it
// already) and binds the fetcher. True when the fetcher is ready. With
// `recheck` set (a fetch failed while connected, e.g. the consumer was
// deleted), ensures again before the next fetch. BLOCKS a few JetStream API
// round trips, and only every setup_retry while failing.
bool setup(feeder_state& st) {
  if (st.fetcher && !st.recheck)
    return true;
  const auto now = steady::now();
  if (now < st.next_setup)
    return st.fetcher != nullptr;
  st.next_setup = now + setup_retry;
  auto& warnings = st.receipts->warnings;
  if (!st.conn->connected()) {
    if (!st.fetcher)
      warnings.warn("jetstream feeder: not connected to NATS, cannot bind the task consumers yet");
    return st.fetcher != nullptr;
  }
  if (!st.receipts->dead_letters) // receipts already out keep the old context
    st.receipts = make_receipt_context(st);
  if (auto e = nats::ensure_streams(*st.conn, st.stream))
    warnings.warn("jetstream feeder: ensure_streams", e);
  else if (auto e2 = nats::ensure_consumers(*st.conn, st.stream, st.consumers))
    warnings.warn("jetstream feeder: ensure_consumers", e2);
  else
    st.recheck = false;
  if (st.fetcher) {
    // Pulls name the consumer, so a re-created one serves the old binding;
    // but a deleted consumer took our open pull requests with it.
    for (auto* c : {st.high.get(), st.normal.get()})
      if (auto e = c->check_recreated())
        warnings.warn("jetstream feeder: consumer " + c->durable(), e);
    return true;
  }
  // Bind even after a failed ensure: the consumers may well exist.
  auto bind = [&](const std::string& durable) -> std::unique_ptr<nats::pull_consumer> {
    auto c = nats::pull_consumer::bind(*st.conn, st.stream.name, durable, st.consumers.max_batch);
    if (!c) {
      warnings.warn("jetstream feeder: binding consumer " + durable, c.err());
      return nullptr;
    }
    return std::move(*c);
  };
  auto high = bind(st.consumers.high_durable());
  auto normal = high ? bind(st.consumers.normal_durable()) : nullptr;
  if (!high || !normal)
    return false;
  st.high = std::move(high);
  st.normal = std::move(normal);
  st.fetcher = std::make_unique<nats::priority_fetcher>(*st.high, *st.normal);
  spdlog::info("jetstream feeder: fetching from {} ({}, {})", st.stream.name,
               st.consumers.high_durable(), st.consumers.normal_durable());
  return true;
}

// Fetches again after the mailbox ran: at once after an empty fetch (which
// already waited), after idle_wait after a failure (NATS down, consumers
// not bound).
void schedule_fetch(self_ptr self, bool back_off) {
  auto& st = self->state;
  if (st.tick_pending)
    return;
  st.tick_pending = true;
  if (back_off)
    self->delayed_send(self, st.config.idle_wait, tick_atom::value);
  else
    self->send(self, tick_atom::value);
}

void dead_letter_undecodable(feeder_state& st, nats::delivery& d, const api_error& bad) {
  std::string reason = bad.code + ": " + bad.message;
  if (!bad.field.empty())
    reason += " (" + bad.field + ")";
  st.receipts->warnings.warn("jetstream feeder: dead-lettering message " +
                             std::string(d.msg_id()) + " (stream sequence " +
                             std::to_string(d.stream_sequence()) + "): " + reason);
  nats_receipt(std::move(d), st.receipts).dead_letter(reason);
}

// Deliveries count attempts across all worker pods (a re-published retry
// carries the attempts made before it); the worker counts the attempt it is
// about to start itself.
void count_attempts(task& t, const nats::delivery& d) {
  const auto delivered = std::max<std::uint64_t>(d.num_delivered(), 1);
  t.attempts = static_cast<std::uint8_t>(std::min<std::uint64_t>(t.attempts + delivered - 1, 255));
}

// A task cancelled while it waited in the stream goes to a worker with its
// claim already cancelled: the worker acks it without running it. One that
// will wait on the worker (delay_ms, a retry not yet due) gets a live claim,
// so a cancel during the wait reaches the worker (task_event_relay.hpp).
void give_claim(const feeder_state& st, task& t) {
  if (!st.config.cancelled)
    return;
  const bool will_wait = t.delay_ms > 0 || t.retry_at > now_us();
  t.claim = st.config.cancelled->claim(t.id, will_wait);
}

// JetStream messages -> tasks with receipts, appended to `out`. A message
// that does not decode is dead-lettered here (this BLOCKS up to the
// dead-letter PubAck; rare). In an envelope a task that does not decode
// (a type disabled on this pod) is dead-lettered alone.
void decode(feeder_state& st, std::vector<nats::delivery>& deliveries, std::vector<task>& out) {
  std::size_t tasks = 0;
  for (auto& d : deliveries) {
    if (d.num_delivered() > 1 && st.config.metrics)
      st.config.metrics->nats_redeliveries->Increment();
    auto decoded = tasks_from_wire(d.data(), *st.ops);
    if (decoded.size() == 1) {
      if (auto* bad = std::get_if<api_error>(&decoded.front())) {
        dead_letter_undecodable(st, d, *bad);
        continue;
      }
      auto& t = std::get<task>(decoded.front());
      count_attempts(t, d);
      give_claim(st, t);
      t.receipt = std::make_shared<nats_receipt>(std::move(d), st.receipts);
      out.push_back(std::move(t));
      ++tasks;
      continue;
    }
    for (auto& one : decoded)
      if (auto* t = std::get_if<task>(&one))
        count_attempts(*t, d);
    auto env = std::make_shared<envelope>(std::move(d), decoded.size(), st.receipts);
    for (std::size_t i = 0; i < decoded.size(); ++i) {
      auto receipt = std::make_shared<envelope_receipt>(env, i);
      if (auto* bad = std::get_if<api_error>(&decoded[i])) {
        st.receipts->warnings.warn("jetstream feeder: dead-lettering task " + std::to_string(i) +
                                   " of an envelope: " + bad->code + ": " + bad->message);
        receipt->dead_letter();
        continue;
      }
      auto& t = std::get<task>(decoded[i]);
      give_claim(st, t);
      t.receipt = std::move(receipt);
      out.push_back(std::move(t));
      ++tasks;
    }
  }
  if (!deliveries.empty())
    st.tasks_per_message = 0.75 * st.tasks_per_message +
                           0.25 * static_cast<double>(tasks) / static_cast<double>(deliveries.size());
}

// Credit in tasks -> deliveries to ask a lane for, at the recent number of
// tasks per message (an envelope carries many); at least one for a lane
// with credit.
int messages_for(const feeder_state& st, std::uint32_t tasks) {
  if (tasks == 0)
    return 0;
  const auto n = static_cast<double>(tasks) / std::max(1.0, st.tasks_per_message);
  return std::clamp(static_cast<int>(n), 1, st.consumers.max_batch);
}

void answer(feeder_state& st, std::vector<task> tasks) {
  if (auto request = std::exchange(st.request, std::nullopt))
    request->deliver(std::move(tasks));
}

// One bounded fetch for the open request: answers it with what came, or
// schedules the next try.
void fetch_for_request(self_ptr self) {
  auto& st = self->state;
  if (!st.request)
    return;
  // Shutting down: settle what is out, take nothing new.
  if (st.gauges && st.gauges->draining.load(std::memory_order_relaxed)) {
    answer(st, {});
    return;
  }
  if (!setup(st)) {
    schedule_fetch(self, true);
    return;
  }
  // Fetch until the request's credit is used or the server has no more: a
  // message may carry fewer tasks than the recent average (an api pod's
  // rounds grow and shrink with its load), and one fetch per request then
  // handed out a fraction of the credit while the backlog grew.
  std::vector<task> tasks;
  auto high_left = st.credit_high, normal_left = st.credit_normal;
  for (auto wait = st.config.idle_wait;; wait = std::chrono::milliseconds(0)) {
    auto got = st.fetcher->fetch({messages_for(st, high_left), messages_for(st, normal_left)}, wait);
    if (!got && !tasks.empty())
      break; // hand out what came; the error shows again on the next fetch
    if (!got) {
      st.receipts->warnings.warn("jetstream feeder: fetch failed (retrying)", got.err());
      if (st.conn->connected())
        st.recheck = true; // not the connection: maybe the consumer is gone
      schedule_fetch(self, true);
      return;
    }
    if (got->empty())
      break;
    const auto before = tasks.size();
    decode(st, *got, tasks);
    for (auto i = before; i < tasks.size(); ++i) { // a lane may have used the other's credit
      const bool high = tasks[i].prio == priority::high;
      auto& own = high ? high_left : normal_left;
      auto& other = high ? normal_left : high_left;
      if (own > 0)
        --own;
      else if (other > 0)
        --other;
    }
    if (high_left + normal_left == 0 || !st.fetcher->expects_more())
      break;
  }
  if (tasks.empty()) { // nothing came within idle_wait, or every message was dead-lettered
    if (steady::now() - st.last_recheck >= idle_recheck) {
      st.recheck = true;
      st.last_recheck = steady::now();
    }
    schedule_fetch(self, false);
    return;
  }
  st.last_recheck = steady::now();
  answer(st, std::move(tasks));
}

feeder_actor::behavior_type jetstream_feeder(self_ptr self, nats::connection* conn,
                                             nats::stream_options stream,
                                             nats::consumer_options consumers,
                                             feeder_config config, const op_registry* ops,
                                             const pipeline_gauges* gauges) {
  auto& st = self->state;
  st.conn = conn;
  st.stream = std::move(stream);
  st.consumers = std::move(consumers);
  st.config = config;
  st.ops = ops;
  st.gauges = gauges;
  st.receipts = make_receipt_context(st);
  setup(st);
  return {
    [=](feed_atom, std::uint32_t high, std::uint32_t normal) -> caf::result<std::vector<task>> {
      auto& st = self->state;
      answer(st, {}); // one request at a time: an older one is answered empty
      st.request = self->make_response_promise<std::vector<task>>();
      st.credit_high = high;
      st.credit_normal = normal;
      auto promise = *st.request;
      fetch_for_request(self);
      return promise;
    },
    [=](tick_atom) {
      self->state.tick_pending = false;
      fetch_for_request(self);
    },
  };
}

} // namespace

work_source_actor spawn_jetstream_feeder(caf::actor_system& sys, nats::connection* conn,
                                         nats::stream_options stream,
                                         nats::consumer_options consumers, feeder_config config,
                                         const op_registry* ops, const pipeline_gauges* gauges) {
  return sys.spawn<caf::detached>(jetstream_feeder, conn, std::move(stream), std::move(consumers),
                                  config, ops, gauges);
}

} // namespace taskmesh::cluster
