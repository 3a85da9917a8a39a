// File: transport/cluster/valkey_store.cpp
// The cluster store actor (contract: valkey_store.hpp): the semantics of the
// embedded memory_store seen from a client (idempotency, forward-only
// updates, get), over Valkey through task_records, except that admit only
// claims ids and record writes the queued records once JetStream stored
// the tasks (the order is explained in actors/intake.hpp). Detached, because every Valkey call blocks (bounded by the
// client's timeouts). Each handler marks health->valkey by its outcome;
// failures answer errc::unavailable, so intake answers 503 and workers leave
// their JetStream messages unacked (they are redelivered).
#include "transport/cluster/valkey_store.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "transport/cluster/op_by_name.hpp"
#include "transport/valkey/client.hpp"

namespace taskmesh::cluster {
namespace {

// The client and the records over it, made at spawn time (bad options throw
// there, at start-up) and owned by the actor from then on.
struct connection {
  explicit connection(const valkey_store_config& c)
      : client(c.connection), records(client, c.records) {}
  valkey::client client;
  valkey::task_records records;
};

struct valkey_store_state {
  static inline const char* name = "valkey_store";
  valkey_store_config config;
  const op_registry* ops = nullptr;
  pipeline_gauges* gauges = nullptr;
  dependency_health* health = nullptr;
  std::shared_ptr<connection> conn;
  std::optional<bool> last_ok; // the last call's outcome (none yet: unknown)
  // taskmesh_valkey_* series by call name, made on first use (config.metrics).
  std::map<std::string, cluster_metrics::valkey_call, std::less<>> series;
  std::uint64_t reconnects_counted = 0;

  valkey_store_state() = default;
  valkey_store_state(const valkey_store_state&) = delete;
  valkey_store_state& operator=(const valkey_store_state&) = delete;

  // A clean stop takes this worker out of count_workers at once (only when
  // Valkey is up: never wait out a timeout on the way down).
  ~valkey_store_state() {
    if (conn && !config.worker_id.empty() && conn->client.healthy())
      (void)conn->records.forget_worker(config.worker_id);
  }
};

using self_ptr = store_actor::stateful_pointer<valkey_store_state>;

cluster_metrics::valkey_call& series_of(valkey_store_state& st, std::string_view call) {
  auto it = st.series.find(call);
  if (it == st.series.end())
    it = st.series.emplace(std::string(call), st.config.metrics->call(call)).first;
  return it->second;
}

// Runs one Valkey call (one round trip), timing it into its series and
// counting the reconnects the client made since the last one.
template <class Call>
auto timed(valkey_store_state& st, std::string_view call, Call&& run) {
  const auto began = std::chrono::steady_clock::now();
  auto r = run();
  if (auto* m = st.config.metrics) {
    series_of(st, call).seconds->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
    const auto connects = st.conn->client.connects();
    const auto reconnects = connects > 0 ? connects - 1 : 0; // the first connect is none
    if (reconnects > st.reconnects_counted) {
      m->valkey_reconnects->Increment(static_cast<double>(reconnects - st.reconnects_counted));
      st.reconnects_counted = reconnects;
    }
  }
  return r;
}

void mark_ok(valkey_store_state& st) {
  st.health->valkey.store(true);
  if (st.last_ok == false)
    spdlog::info("valkey {}: reachable again", valkey::redacted_url(st.config.connection));
  st.last_ok = true;
}

// A reply that did not decode (a bad stored record): Valkey itself answered,
// so readiness follows the connection. Anything else (down, timeout, an error
// reply such as -OOM or -READONLY) means Valkey cannot serve us: not ready
// until a call or the next sweep succeeds.
bool is_data_error(const valkey::error& e) {
  return e.code == valkey::errc::bad_record || e.code == valkey::errc::unexpected_reply;
}

// Logs once per outage (and every data error), so a down Valkey does not
// flood the log. Returns what the requester gets.
caf::error fail(valkey_store_state& st, std::string_view what, const valkey::error& e) {
  if (st.config.metrics)
    series_of(st, what).errors->Increment();
  const auto url = valkey::redacted_url(st.config.connection);
  if (is_data_error(e)) {
    st.health->valkey.store(st.conn->client.healthy());
    spdlog::warn("valkey {}: {}: {}", url, what, e.message);
  } else {
    st.health->valkey.store(false);
    if (st.last_ok != false)
      spdlog::warn("valkey {}: {} failed, not ready until it answers: {} ({})", url, what,
                   e.message, e.code.message());
    st.last_ok = false;
  }
  return caf::make_error(errc::unavailable);
}

std::vector<valkey::record_write> writes_of(const valkey_store_state& st,
                                            const std::vector<task_record>& batch) {
  std::vector<valkey::record_write> out;
  out.reserve(batch.size());
  for (const auto& r : batch)
    out.push_back(valkey::record_write{r, st.ops->name(r.op)});
  return out;
}


// Step 1 of a cluster admission (actors/intake.hpp): nothing is written
// but idempotency claims, so a task whose publish never happens leaves no
// record behind. Tasks without a key need no Valkey call at all.
caf::result<std::vector<admission>> admit(valkey_store_state& st,
                                          const std::vector<task_record>& batch) {
  std::vector<admission> out;
  out.reserve(batch.size());
  std::vector<valkey::key_claim> keys;
  std::vector<std::size_t> keyed; // out[keyed[k]] is keys[k]'s task
  for (std::size_t i = 0; i < batch.size(); ++i) {
    out.push_back({batch[i].id, task_status::queued, false, false});
    if (!batch[i].idempotency_key.empty()) {
      keys.push_back({batch[i].id, batch[i].idempotency_key});
      keyed.push_back(i);
    }
  }
  if (keys.empty()) {
    // Nothing to ask Valkey, but while it is known to be down the records of
    // what gets published could not be written: refuse (503) as a keyed
    // round would, rather than accept tasks nobody can look up.
    if (st.last_ok == false)
      return caf::make_error(errc::unavailable);
    return out;
  }
  auto claims = timed(st, "claim", [&] { return st.conn->records.claim_keys(keys); });
  if (!claims)
    return fail(st, "claim", claims.err());
  mark_ok(st);
  for (std::size_t k = 0; k < keyed.size(); ++k) {
    const auto& c = (*claims)[k];
    const bool recorded_duplicate = c.outcome == valkey::claim_outcome::duplicate;
    out[keyed[k]] = {c.id, c.status, c.outcome != valkey::claim_outcome::claimed,
                     recorded_duplicate};
  }
  return out;
}

// Step 3: JetStream stored these tasks; write their queued records.
caf::result<std::vector<admission>> record(valkey_store_state& st,
                                           const std::vector<task_record>& batch) {
  const auto writes = writes_of(st, batch);
  auto statuses = timed(st, "admit", [&] { return st.conn->records.admit(writes); });
  if (!statuses)
    return fail(st, "admit", statuses.err());
  mark_ok(st);
  std::vector<admission> out;
  out.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i)
    out.push_back({batch[i].id, (*statuses)[i], false});
  return out;
}

// An error answers the worker's request with an error, so it leaves the
// tasks' receipts unsettled (JetStream redelivers them).
caf::result<void> update(valkey_store_state& st, const std::vector<task_record>& batch) {
  const auto writes = writes_of(st, batch);
  auto outcomes = timed(st, "update", [&] { return st.conn->records.update(writes); });
  if (!outcomes)
    return fail(st, "update", outcomes.err());
  mark_ok(st);
  if (st.config.on_changed) {
    std::vector<const task_record*> changed;
    for (std::size_t i = 0; i < batch.size() && i < outcomes->size(); ++i)
      if ((*outcomes)[i] == valkey::update_outcome::applied ||
          (*outcomes)[i] == valkey::update_outcome::first_terminal)
        changed.push_back(&batch[i]);
    if (!changed.empty())
      st.config.on_changed(changed);
  }
  return caf::unit;
}

caf::result<task_record> get(valkey_store_state& st, const task_id& id) {
  auto found = timed(st, "get", [&] { return st.conn->records.get(id); });
  if (!found)
    return fail(st, "get", found.err());
  mark_ok(st);
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
  auto reply = st.conn->records.cancel(id);
  if (!reply)
    return fail(st, "cancel", reply.err());
  mark_ok(st);
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
  if (auto r = timed(st, "ping", [&] { return st.conn->client.ping(); }); !r) {
    (void)fail(st, "ping", r.err());
    return;
  }
  if (!st.config.worker_id.empty()) {
    if (auto r = timed(st, "heartbeat",
                       [&] { return st.conn->records.heartbeat(st.config.worker_id,
                                                               st.config.heartbeat_ttl); });
        !r) {
      (void)fail(st, "heartbeat", r.err());
      return;
    }
  }
  auto n = timed(st, "count_records", [&] { return st.conn->records.count_records(); });
  if (!n) {
    (void)fail(st, "count_records", n.err());
    return;
  }
  st.gauges->records.store(*n, std::memory_order_relaxed);
  mark_ok(st);
}

store_actor::behavior_type valkey_store(self_ptr self, valkey_store_config config,
                                        std::shared_ptr<connection> conn, const op_registry* ops,
                                        pipeline_gauges* gauges, dependency_health* health) {
  auto& st = self->state;
  st.config = std::move(config);
  st.conn = std::move(conn);
  st.ops = ops;
  st.gauges = gauges;
  st.health = health;
  if (st.config.metrics) // every call's series from the start, so a scrape sees zeros, not gaps
    for (const char* call : {"claim", "admit", "update", "get", "ping", "heartbeat", "count_records"})
      series_of(st, call);
  self->send(self, sweep_atom::value);
  return {
    [=](admit_atom, const std::vector<task_record>& batch) {
      return admit(self->state, batch);
    },
    [=](update_atom, const std::vector<task_record>& batch) {
      return update(self->state, batch);
    },
    [=](record_atom, const std::vector<task_record>& batch) {
      return record(self->state, batch);
    },
    // Records are written only for tasks JetStream stored (record_atom), so
    // a task intake gave up on left none to undo. Its idempotency claim
    // stays on purpose: JetStream may have stored it after all, and a retry
    // with the same key then reuses its id, which JetStream de-duplicates.
    [=](forget_atom, const std::vector<task_id>&) {},
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
  auto conn = std::make_shared<connection>(config); // throws on bad records options
  return sys.spawn<caf::detached>(valkey_store, std::move(config), std::move(conn), ops, gauges,
                                  health);
}

} // namespace taskmesh::cluster
