// File: transport/cluster/valkey_store.cpp
// The cluster store actor (contract: valkey_store.hpp): the same semantics as
// the embedded memory_store (admit, update, forget, get), over Valkey through
// task_records. Detached, because every Valkey call blocks (bounded by the
// client's timeouts). Each handler marks health->valkey by its outcome;
// failures answer errc::unavailable, so intake answers 503 and workers leave
// their JetStream messages unacked (they are redelivered).
#include "transport/cluster/valkey_store.hpp"

#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "transport/valkey/client.hpp"

namespace taskmesh::cluster {
namespace {

// forget: undo admissions intake gave up on. ARGV: prefix, then task ids.
// Only records still in their admitted state go (status queued, attempts 0):
// a worker that already wrote running/retry/terminal keeps its record. For
// each one removed, atomically:
//  - its idempotency key, if it still names this task;
//  - its P:records member (count_records stays exact);
//  - the submitted counters, when the record carries the 'admitted' marker:
//    the admit script incremented them exactly once for exactly that marker,
//    and the record goes in the same script, so a repeated forget finds no
//    record and changes nothing (idempotent, never decrements twice).
// Known gap: if the sink timed out but JetStream took the task after all and
// a worker writes its first state AFTER this forget, the update script
// recreates the record without 'admitted', so that task is counted as
// processed but not submitted. Intake's timeouts make this rare.
// Reply: how many records were removed.
constexpr std::string_view forget_lua = R"lua(
local prefix = ARGV[1]
local removed, by_type = 0, {}
for k = 2, #ARGV do
  local id = ARGV[k]
  local key = prefix .. ':task:' .. id
  local cur = redis.call('HMGET', key, 'status', 'attempts', 'idempotency_key', 'type', 'admitted')
  if cur[1] == 'queued' and (tonumber(cur[2]) or 0) == 0 then
    if cur[3] and cur[3] ~= '' then
      local ikey = prefix .. ':idem:' .. cur[3]
      if redis.call('GET', ikey) == id then redis.call('DEL', ikey) end
    end
    redis.call('DEL', key)
    redis.call('ZREM', prefix .. ':records', id)
    if cur[5] and cur[4] then
      by_type[cur[4]] = (by_type[cur[4]] or 0) + 1
    end
    removed = removed + 1
  end
end
local total = 0
for typ, n in pairs(by_type) do
  redis.call('DECRBY', prefix .. ':count:type:' .. typ .. ':submitted', n)
  total = total + n
end
if total > 0 then redis.call('DECRBY', prefix .. ':count:submitted', total) end
return removed
)lua";

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
  std::optional<bool> last_ok; // for logging transitions only

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

// Op names -> this process's op indexes. Disabled ops keep their index, so a
// record of a type disabled here (but enabled on the pod that ran it) still
// reads back.
std::optional<op_index> op_of(const op_registry& ops, std::string_view name) {
  op_index i = 0;
  if (ops.find(name, &i))
    return i;
  for (std::size_t k = 0; k < ops.size(); ++k)
    if (ops.name(static_cast<op_index>(k)) == name)
      return static_cast<op_index>(k);
  return std::nullopt;
}

caf::result<std::vector<admission>> admit(valkey_store_state& st,
                                          const std::vector<task_record>& batch) {
  const auto writes = writes_of(st, batch);
  auto admitted = st.conn->records.admit(writes);
  if (!admitted)
    return fail(st, "admit", admitted.err());
  mark_ok(st);
  std::vector<admission> out;
  out.reserve(admitted->size());
  for (const auto& a : *admitted)
    out.push_back({a.id, a.status, a.outcome == valkey::admit_outcome::duplicate});
  return out;
}

// An error answers the worker's request with an error, so it leaves the
// tasks' receipts unsettled (JetStream redelivers them).
caf::result<void> update(valkey_store_state& st, const std::vector<task_record>& batch) {
  const auto writes = writes_of(st, batch);
  if (auto r = st.conn->records.update(writes); !r)
    return fail(st, "update", r.err());
  mark_ok(st);
  return caf::unit;
}

void forget(valkey_store_state& st, const std::vector<task_id>& ids) {
  if (ids.empty())
    return;
  valkey::command cmd("EVAL");
  cmd.arg(forget_lua).arg("0").arg(std::string_view(st.conn->records.options().prefix));
  for (const auto& id : ids) {
    char text[36];
    id.write_to(text);
    cmd.copy(std::string_view(text, sizeof text));
  }
  // The script is idempotent: safe to resend after a lost connection.
  if (auto r = st.conn->client.execute(cmd, valkey::retry::once_if_connection_lost); !r) {
    (void)fail(st, "forget", r.err());
    return;
  }
  mark_ok(st);
}

caf::result<task_record> get(valkey_store_state& st, const task_id& id) {
  auto found = st.conn->records.get(id);
  if (!found)
    return fail(st, "get", found.err());
  mark_ok(st);
  if (!*found)
    return caf::make_error(errc::not_found);
  auto& stored = **found;
  const auto op = op_of(*st.ops, stored.type);
  if (!op) {
    spdlog::warn("valkey record {} has type '{}', which this build does not know", id.to_string(),
                 stored.type);
    return caf::make_error(errc::unavailable);
  }
  stored.record.op = *op;
  return std::move(stored.record);
}

// PING first: while Valkey is down that is the one call that fails (at once
// during the reconnect backoff), rather than three.
void sweep(valkey_store_state& st) {
  if (auto r = st.conn->client.ping(); !r) {
    (void)fail(st, "ping", r.err());
    return;
  }
  if (!st.config.worker_id.empty()) {
    if (auto r = st.conn->records.heartbeat(st.config.worker_id, st.config.heartbeat_ttl); !r) {
      (void)fail(st, "heartbeat", r.err());
      return;
    }
  }
  auto n = st.conn->records.count_records();
  if (!n) {
    (void)fail(st, "count records", n.err());
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
  self->send(self, sweep_atom::value);
  return {
    [=](admit_atom, const std::vector<task_record>& batch) {
      return admit(self->state, batch);
    },
    [=](update_atom, const std::vector<task_record>& batch) {
      return update(self->state, batch);
    },
    [=](forget_atom, const std::vector<task_id>& ids) { forget(self->state, ids); },
    [=](get_atom, const task_id& id) { return get(self->state, id); },
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
