// File: transport/cluster/valkey_store.cpp
// The cluster store actor (contract: valkey_store.hpp): the semantics of the
// embedded memory_store seen from a client (forward-only updates, get,
// cancel), over Valkey through task_records; admissions are
// cluster_admission's. Detached, because every Valkey call blocks (bounded by the
// client's timeouts). Each handler marks health->valkey by its outcome;
// failures answer errc::unavailable, so intake answers 503 and workers leave
// their JetStream messages unacked (they are redelivered).
// Updates that wait in the mailbox together go to Valkey together: each is
// queued with its reply, and one flush message (sent when the first one is
// queued, so it runs after whatever already waits) writes them all in one
// script call, in arrival order, and answers each. A worker pod's worker
// actors each flush their share of a round; one call per round instead of
// one per worker actor (an update script run costs ~130,000 instructions in
// Valkey besides its tasks' own: bench/profile/valkey_scripts, --per-call 1
// against 256).
#include "transport/cluster/valkey_store.hpp"

#include <chrono>
#include <iterator>
#include <memory>
#include <string>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "transport/cluster/op_by_name.hpp"
#include "transport/cluster/valkey_link.hpp"

namespace taskmesh::cluster {
namespace {

// An update waiting for the next flush, with the reply its sender waits for
// (none, not pending, for a plain send: see reply_if_requested).
struct queued_update {
  std::vector<task_record> batch;
  caf::response_promise reply;
};

struct valkey_store_state {
  static inline const char* name = "valkey_store";
  valkey_store_config config;
  std::vector<queued_update> queued; // until the flush on its way runs
  bool flush_sent = false;
  const op_registry* ops = nullptr;
  pipeline_gauges* gauges = nullptr;
  std::shared_ptr<valkey_link> link;
  std::chrono::steady_clock::time_point watched_marked_at{}; // P:events:watched last set

  valkey_store_state() = default;
  valkey_store_state(const valkey_store_state&) = delete;
  valkey_store_state& operator=(const valkey_store_state&) = delete;

  // A clean stop takes this worker out of count_workers at once (only when
  // Valkey is up: never wait out a timeout on the way down).
  ~valkey_store_state() {
    if (link && !config.worker_id.empty() && link->client().healthy())
      (void)link->records().forget_worker(config.worker_id);
  }
};

// The store's interface plus its own flush message (not part of the
// protocol: only it sends it, to itself).
using valkey_store_actor = store_actor::extend<caf::reacts_to<flush_atom>>;
using self_ptr = valkey_store_actor::stateful_pointer<valkey_store_state>;

// A promise for the sender of a request only. CAF 0.17 delivers a promise
// made for a plain send too, as an ordinary message: a worker's "running"
// update (a send) got an unexpected `()`, and the error CAF's default handler
// answers with came back here and stopped this actor (the default for an
// error no request waits for), so the pod's records were never written again.
caf::response_promise reply_if_requested(self_ptr self) {
  if (!self->current_message_id().is_request())
    return {};
  return self->make_response_promise();
}

std::vector<valkey::record_write> writes_of(const op_registry& ops,
                                            const std::vector<task_record>& batch) {
  std::vector<valkey::record_write> out;
  out.reserve(batch.size());
  for (const auto& r : batch)
    out.push_back(valkey::record_write{r, ops.name(r.op)});
  return out;
}


// An error answers the worker's request with an error, so it leaves the
// tasks' receipts unsettled (JetStream redelivers them).
caf::error update(valkey_store_state& st, const std::vector<task_record>& batch) {
  const auto writes = writes_of(*st.ops, batch);
  auto reply = st.link->timed("update", [&] { return st.link->records().update(writes); });
  if (!reply)
    return st.link->fail("update", reply.err());
  st.link->mark_ok();
  // Published only while some api pod watches (valkey_store_config::on_changed).
  if (st.config.on_changed && reply->watched) {
    const auto& outcomes = reply->outcomes;
    std::vector<const task_record*> changed;
    for (std::size_t i = 0; i < batch.size() && i < outcomes.size(); ++i)
      if (outcomes[i] == valkey::update_outcome::applied ||
          outcomes[i] == valkey::update_outcome::first_terminal)
        changed.push_back(&batch[i]);
    if (!changed.empty())
      st.config.on_changed(changed);
  }
  return {};
}

// Writes every queued update in one call (a batch from one sender stays in
// its order, batches in arrival order) and answers each sender alike.
void flush(valkey_store_state& st) {
  st.flush_sent = false;
  auto queued = std::move(st.queued);
  st.queued.clear();
  if (queued.empty())
    return;
  std::vector<task_record> merged;
  for (auto& q : queued)
    merged.insert(merged.end(), std::make_move_iterator(q.batch.begin()),
                  std::make_move_iterator(q.batch.end()));
  const auto err = update(st, merged);
  for (auto& q : queued) {
    if (!q.reply.pending())
      continue;
    if (err)
      q.reply.deliver(err);
    else
      q.reply.deliver(caf::unit);
  }
}

// Api pods with live event streams open: P:events:watched set within the
// last watched_refresh (so it is still there, watched_ttl being longer).
caf::error keep_watched(valkey_store_state& st, std::chrono::steady_clock::time_point now) {
  if (!st.config.watched_by || st.config.watched_by->open_streams() == 0 ||
      now - st.watched_marked_at < st.config.watched_refresh)
    return {};
  auto r = st.link->timed("mark_watched", [&] {
    return st.link->records().mark_events_watched(st.config.watched_ttl);
  });
  if (!r)
    return st.link->fail("mark_watched", r.err());
  st.watched_marked_at = now;
  return {};
}

caf::result<task_record> get(valkey_store_state& st, const task_id& id) {
  // Before the read: an event stream that asked for it sees every later
  // change published (valkey_store_config::watched_by).
  if (auto e = keep_watched(st, std::chrono::steady_clock::now()))
    return e;
  auto found = st.link->timed("get", [&] { return st.link->records().get(id); });
  if (!found)
    return st.link->fail("get", found.err());
  st.link->mark_ok();
  if (!*found)
    return caf::make_error(errc::not_found);
  auto& stored = **found;
  const auto op = op_by_name(*st.ops, stored.type);
  if (!op) {
    spdlog::warn("valkey record {} has type '{}', which this build does not know", id.to_string(),
                 stored.type);
    return caf::make_error(errc::unavailable);
  }
  stored.record.op = *op;
  return std::move(stored.record);
}

// DELETE /task/{id}: the cancel script decides atomically; a cancelled
// record is published (live events on every api pod) and workers that
// receive the task later find its record terminal (worker pods check before
// running; jetstream_feeder).
caf::result<cancel_result> cancel(valkey_store_state& st, const task_id& id) {
  auto reply = st.link->records().cancel(id);
  if (!reply)
    return st.link->fail("cancel", reply.err());
  st.link->mark_ok();
  using out = valkey::task_records::cancel_outcome;
  if (reply->outcome == out::not_found || !reply->record)
    return cancel_result{cancel_result::kind::not_found, {}};
  auto& stored = *reply->record;
  if (auto op = op_by_name(*st.ops, stored.type))
    stored.record.op = *op;
  cancel_result r{reply->outcome == out::cancelled ? cancel_result::kind::cancelled
                                                   : cancel_result::kind::not_cancellable,
                  std::move(stored.record)};
  if (r.outcome == cancel_result::kind::cancelled && st.config.on_changed) {
    const task_record* changed[] = {&r.record};
    st.config.on_changed(changed);
  }
  return r;
}

// PING first: while Valkey is down that is the one call that fails (at once
// during the reconnect backoff), rather than three.
void sweep(valkey_store_state& st) {
  if (auto r = st.link->timed("ping", [&] { return st.link->client().ping(); }); !r) {
    (void)st.link->fail("ping", r.err());
    return;
  }
  if (!st.config.worker_id.empty()) {
    if (auto r = st.link->timed("heartbeat",
                                [&] { return st.link->records().heartbeat(st.config.worker_id,
                                                                          st.config.heartbeat_ttl); });
        !r) {
      (void)st.link->fail("heartbeat", r.err());
      return;
    }
  }
  auto n = st.link->timed("count_records", [&] { return st.link->records().count_records(); });
  if (!n) {
    (void)st.link->fail("count_records", n.err());
    return;
  }
  st.gauges->records.store(*n, std::memory_order_relaxed);
  if (keep_watched(st, std::chrono::steady_clock::now()))
    return;
  st.link->mark_ok();
}

valkey_store_actor::behavior_type valkey_store(self_ptr self, valkey_store_config config,
                                        std::shared_ptr<valkey_link> link, const op_registry* ops,
                                        pipeline_gauges* gauges) {
  auto& st = self->state;
  st.config = std::move(config);
  st.link = std::move(link);
  st.ops = ops;
  st.gauges = gauges;
  st.link->declare({"update", "get", "ping", "heartbeat", "count_records", "mark_watched"});
  self->send(self, sweep_atom::value);
  return {
    [=](update_atom, std::vector<task_record>& batch) {
      auto& st = self->state;
      st.queued.push_back({std::move(batch), reply_if_requested(self)});
      if (!st.flush_sent) {
        st.flush_sent = true;
        self->send(self, flush_atom::value);
      }
    },
    [=](flush_atom) { flush(self->state); },
    [=](get_atom, const task_id& id) { return get(self->state, id); },
    [=](cancel_atom, const task_id& id) { return cancel(self->state, id); },
    [=](sweep_atom) {
      sweep(self->state);
      self->delayed_send(self, self->state.config.sweep_interval, sweep_atom::value);
    },
  };
}

} // namespace

store_actor spawn_valkey_store(caf::actor_system& sys, valkey_store_config config,
                               const op_registry* ops, pipeline_gauges* gauges,
                               dependency_health* health) {
  if (!ops || !gauges || !health)
    throw std::invalid_argument("spawn_valkey_store: ops, gauges and health are required");
  if (config.sweep_interval.count() <= 0)
    throw std::invalid_argument("spawn_valkey_store: sweep_interval must be positive");
  auto link = std::make_shared<valkey_link>(config.connection, config.records, health,
                                            config.metrics); // throws on bad records options
  return caf::actor_cast<store_actor>(
    sys.spawn<caf::detached>(valkey_store, std::move(config), std::move(link), ops, gauges));
}

} // namespace taskmesh::cluster
