// File: transport/cluster/jetstream_feeder.cpp
// A detached actor that behaves towards workers exactly like the embedded
// dispatcher (actors/dispatcher.cpp): workers announce themselves with
// done(worker, 0, true), batches go (run_atom) only to idle workers that
// asked, at most max_in_flight tasks are out, gauges->in_flight follows;
// once gauges->draining is set nothing new is fetched (tasks that reach the
// pod meanwhile, on a pull request still open, are NAKed when the feeder
// goes away, so other pods get them at once).
// Where the dispatcher takes tasks from its lanes, the feeder fetches them
// from JetStream, blocking in priority_fetcher::fetch on its own thread.
//
// The fetch loop runs inside the done handler: while a worker is idle and
// there is in-flight room, fetch and hand out. dispatcher_actor has no
// message of its own for "poll again", and the protocol stays in
// messages.hpp, so the feeder sends itself done(<null worker>, 0, false):
// a null worker handle means "poll again" (see schedule_poll and the done
// handler). An empty long poll is followed by the next one at once (the
// fetch itself was the wait); a failed one (NATS down) after idle_wait.
#include "transport/cluster/jetstream_feeder.hpp"

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
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

// Stream/consumer set-up that failed is tried again at most this often
// (each try BLOCKS up to a few api_timeouts when the server hangs).
constexpr std::chrono::milliseconds setup_retry{1'000};
// A pull to a consumer that no longer exists (deleted by an operator, lost
// with the server's store) just comes back empty. While fetches stay empty
// the consumers are ensured again this often, so the pod heals itself.
constexpr std::chrono::milliseconds idle_recheck{5'000};
// One fetch's wait while tasks are out: their done messages free room and
// bring workers back soon, so do not sit in a long wait.
constexpr std::chrono::milliseconds busy_wait{20};

struct feeder_state {
  static inline const char* name = "jetstream_feeder";
  nats::connection* conn = nullptr;
  nats::stream_options stream;
  nats::consumer_options consumers;
  feeder_config config;
  const op_registry* ops = nullptr;
  pipeline_gauges* gauges = nullptr;

  // Shared with every receipt handed out (dead-letter publisher, warnings).
  std::shared_ptr<receipt_context> receipts;
  // Declaration order: the fetcher refers to the consumers.
  std::unique_ptr<nats::pull_consumer> high;
  std::unique_ptr<nats::pull_consumer> normal;
  std::unique_ptr<nats::priority_fetcher> fetcher;
  steady::time_point next_setup{};
  bool recheck = false; // ensure the streams and consumers again before fetching
  steady::time_point last_recheck = steady::now(); // or the last fetch that got messages

  std::vector<worker_actor> idle_workers;
  std::int64_t in_flight = 0;
  // Fetched, decoded, not handed out yet: an envelope brings many tasks at
  // once, more than the idle workers may take in one go.
  std::deque<task> ready;
  double tasks_per_message = 1; // moving average, sizes the next fetch
  bool poll_pending = false; // a "poll again" message is on its way
};

using self_ptr = dispatcher_actor::stateful_pointer<feeder_state>;

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

// Keeps the loop going while workers wait and nothing arrives: after an
// empty fetch (which already waited) at once, after a failure (NATS down,
// consumers not bound) after idle_wait.
void schedule_poll(self_ptr self, bool back_off) {
  auto& st = self->state;
  if (st.poll_pending)
    return;
  st.poll_pending = true;
  if (back_off)
    self->delayed_send(self, st.config.idle_wait, done_atom::value, worker_actor{},
                       std::uint32_t{0}, false);
  else
    self->send(self, done_atom::value, worker_actor{}, std::uint32_t{0}, false);
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

// JetStream messages -> tasks with receipts, appended to st.ready. A message
// that does not decode is dead-lettered here (this BLOCKS up to the
// dead-letter PubAck; rare). In an envelope a task that does not decode
// (a type disabled on this pod) is dead-lettered alone.
void decode(feeder_state& st, std::vector<nats::delivery>& deliveries) {
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
      st.ready.push_back(std::move(t));
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
      st.ready.push_back(std::move(t));
      ++tasks;
    }
  }
  if (!deliveries.empty())
    st.tasks_per_message = 0.75 * st.tasks_per_message +
                           0.25 * static_cast<double>(tasks) / static_cast<double>(deliveries.size());
}

// Spreads ready tasks (in fetch order: high first) over the idle workers,
// like the embedded dispatcher: fair share, at most batch_size each, never
// past max_in_flight.
void hand_out(self_ptr self) {
  auto& st = self->state;
  while (!st.ready.empty() && !st.idle_workers.empty()) {
    const auto room = static_cast<std::int64_t>(st.config.dispatch.max_in_flight) - st.in_flight;
    if (room <= 0)
      break;
    const auto fair_share = (st.ready.size() + st.idle_workers.size() - 1) / st.idle_workers.size();
    const auto n = std::min<std::size_t>(
      {fair_share, std::max<std::size_t>(st.config.dispatch.batch_size, 1),
       static_cast<std::size_t>(room)});
    std::vector<task> batch(std::make_move_iterator(st.ready.begin()),
                            std::make_move_iterator(st.ready.begin() + static_cast<std::ptrdiff_t>(n)));
    st.ready.erase(st.ready.begin(), st.ready.begin() + static_cast<std::ptrdiff_t>(n));
    st.in_flight += static_cast<std::int64_t>(n);
    // At once, not after pump's next fetch: a drain reading 0 meanwhile
    // would stop the process with these tasks still running.
    if (st.gauges)
      st.gauges->in_flight.store(st.in_flight, std::memory_order_relaxed);
    auto worker = std::move(st.idle_workers.back());
    st.idle_workers.pop_back();
    self->send(worker, run_atom::value, std::move(batch));
  }
}

// Fetches and hands out while workers wait, in-flight room remains and the
// process is not draining.
void pump(self_ptr self) {
  auto& st = self->state;
  const auto batch_size = std::max<std::uint32_t>(st.config.dispatch.batch_size, 1);
  while (!st.idle_workers.empty()) {
    // Shutting down (gauges->draining): finish what is out, take nothing new;
    // tasks not handed out go back to JetStream (their receipts NAK).
    if (st.gauges && st.gauges->draining.load(std::memory_order_relaxed)) {
      st.ready.clear();
      break;
    }
    const auto room = static_cast<std::int64_t>(st.config.dispatch.max_in_flight) - st.in_flight;
    if (room <= 0)
      break;
    if (!st.ready.empty()) {
      hand_out(self);
      continue;
    }
    if (!setup(st)) {
      schedule_poll(self, true);
      break;
    }
    // In messages: enough for the idle workers' share at the recent number
    // of tasks per message (an envelope carries many).
    const auto tasks_wanted = std::min<std::int64_t>(
      room, static_cast<std::int64_t>(st.idle_workers.size()) * batch_size);
    const auto want = std::clamp<std::int64_t>(
      static_cast<std::int64_t>(static_cast<double>(tasks_wanted) / std::max(1.0, st.tasks_per_message)),
      1, st.consumers.max_batch);
    // With tasks out, done messages (freeing room, bringing workers back)
    // are due soon: do not sit in a long poll. With none out, wait longer.
    const auto wait = st.in_flight > 0 ? busy_wait : st.config.idle_wait;
    auto got = st.fetcher->fetch(static_cast<int>(want), wait);
    if (!got) {
      st.receipts->warnings.warn("jetstream feeder: fetch failed (retrying)", got.err());
      if (st.conn->connected())
        st.recheck = true; // not the connection: maybe the consumer is gone
      schedule_poll(self, true);
      break;
    }
    if (got->empty()) {
      if (steady::now() - st.last_recheck >= idle_recheck) {
        st.recheck = true;
        st.last_recheck = steady::now();
      }
      schedule_poll(self, false);
      break;
    }
    st.last_recheck = steady::now();
    decode(st, *got);
    hand_out(self);
  }
  if (st.gauges)
    st.gauges->in_flight.store(st.in_flight, std::memory_order_relaxed);
}

dispatcher_actor::behavior_type jetstream_feeder(self_ptr self, nats::connection* conn,
                                                 nats::stream_options stream,
                                                 nats::consumer_options consumers,
                                                 feeder_config config, const op_registry* ops,
                                                 pipeline_gauges* gauges) {
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
    [=](dispatch_atom, const std::vector<task>& tasks) {
      // Worker pods take tasks from JetStream only; nothing should send
      // here. Refuse rather than run tasks no store has admitted.
      dispatch_answer answer;
      answer.refused.reserve(tasks.size());
      for (const auto& t : tasks)
        answer.refused.push_back(t.id);
      return answer;
    },
    [=](done_atom, worker_actor& worker, std::uint32_t finished, bool wants_work) {
      auto& st = self->state;
      st.in_flight -= finished;
      if (!worker)
        st.poll_pending = false; // our own "poll again" (schedule_poll), not a worker
      else if (wants_work)
        st.idle_workers.push_back(std::move(worker));
      pump(self);
    },
  };
}

} // namespace

dispatcher_actor spawn_jetstream_feeder(caf::actor_system& sys, nats::connection* conn,
                                        nats::stream_options stream,
                                        nats::consumer_options consumers, feeder_config config,
                                        const op_registry* ops, pipeline_gauges* gauges) {
  return sys.spawn<caf::detached>(jetstream_feeder, conn, std::move(stream), std::move(consumers),
                                  config, ops, gauges);
}

} // namespace taskmesh::cluster
