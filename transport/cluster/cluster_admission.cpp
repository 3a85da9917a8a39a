// File: transport/cluster/cluster_admission.cpp
// The cluster admission actor (contract and order: cluster_admission.hpp).
#include "transport/cluster/cluster_admission.hpp"

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "transport/cluster/jetstream_sink.hpp"
#include "transport/cluster/valkey_link.hpp"

namespace taskmesh::cluster {
namespace {

struct admission_state {
  static inline const char* name = "cluster_admission";
  const op_registry* ops = nullptr;
  dependency_health* health = nullptr;
  std::shared_ptr<valkey_link> valkey;
  std::shared_ptr<jetstream_sink> sink;
};

using self_ptr = admission_actor::stateful_pointer<admission_state>;
using refusal = admission::refusal;

void refuse_all(std::vector<admission>& out) {
  for (auto& a : out)
    a.refused = refusal::unavailable;
}

// A round without keys needs no Valkey call before publishing; but while
// Valkey is down the records of what gets published could not be written:
// refuse (503) as a keyed round would, rather than accept tasks nobody can
// look up. The store's sweep keeps health->valkey current (a ping a second);
// while it says down, or has not said yet, one ping here decides.
bool valkey_up(admission_state& st) {
  if (st.health->valkey.load())
    return true;
  auto pong = st.valkey->timed("ping", [&] { return st.valkey->client().ping(); });
  if (!pong) {
    (void)st.valkey->fail("ping", pong.err());
    return false;
  }
  st.valkey->mark_ok();
  return true;
}

// Step 1: the idempotency keys. Marks duplicates in `out` (and gives a
// taken-over task the id it is published under). False: Valkey cannot
// answer, nothing may be admitted.
bool reserve(admission_state& st, std::vector<task>& tasks, std::vector<admission>& out,
             std::vector<bool>& publish) {
  std::vector<valkey::key_claim> keys;
  std::vector<std::size_t> keyed; // tasks[keyed[k]] is keys[k]'s task
  for (std::size_t i = 0; i < tasks.size(); ++i)
    if (!tasks[i].idempotency_key.empty()) {
      keys.push_back({tasks[i].id, tasks[i].idempotency_key});
      keyed.push_back(i);
    }
  if (keys.empty())
    return valkey_up(st);
  auto claims = st.valkey->timed("claim", [&] { return st.valkey->records().claim_keys(keys); });
  if (!claims) {
    (void)st.valkey->fail("claim", claims.err());
    return false;
  }
  st.valkey->mark_ok();
  for (std::size_t k = 0; k < keyed.size(); ++k) {
    const auto& c = (*claims)[k];
    const auto i = keyed[k];
    if (c.outcome == valkey::claim_outcome::claimed)
      continue;
    out[i] = {c.id, c.status, true, refusal::none};
    if (c.outcome == valkey::claim_outcome::duplicate)
      publish[i] = false; // recorded already: answered from Valkey alone
    else
      tasks[i].id = c.id; // taken over: published again under the claim's id
  }
  return true;
}

// Step 3: JetStream stored batch[k] for each k in `stored`; write their
// queued records (out[answer_of[k]] is batch[k]'s admission). A taken-over
// duplicate is answered with its record's current status, like any
// duplicate; a new task stays "queued" (as accepted) even if a fast worker
// is ahead.
void record(admission_state& st, const std::vector<task>& batch,
            const std::vector<std::size_t>& stored, const std::vector<std::size_t>& answer_of,
            std::vector<admission>& out) {
  if (stored.empty())
    return;
  std::vector<task_record> records;
  std::vector<valkey::record_write> writes;
  records.reserve(stored.size());
  writes.reserve(stored.size());
  for (auto k : stored)
    records.push_back(queued_record(batch[k]));
  for (const auto& r : records)
    writes.push_back({r, st.ops->name(r.op)});
  auto statuses = st.valkey->timed("admit", [&] { return st.valkey->records().admit(writes); });
  if (!statuses) {
    (void)st.valkey->fail("admit", statuses.err()); // durable anyway: still admitted
    return;
  }
  st.valkey->mark_ok();
  for (std::size_t j = 0; j < stored.size() && j < statuses->size(); ++j)
    if (auto& a = out[answer_of[stored[j]]]; a.duplicate)
      a.status = (*statuses)[j];
}

admission_answer admit(self_ptr self, admission_request& round) {
  auto& st = self->state;
  auto& tasks = round.tasks;
  admission_answer answer;
  auto& out = answer.admissions;
  out.reserve(tasks.size());
  for (const auto& t : tasks)
    out.push_back({t.id, task_status::queued, false, refusal::none});
  std::vector<bool> publish(tasks.size(), true);
  if (self->clock().now() >= round.deadline || !reserve(st, tasks, out, publish)) {
    refuse_all(out);
    return answer;
  }
  // The claims may have taken long: publish nothing intake no longer waits for.
  if (self->clock().now() >= round.deadline) {
    refuse_all(out);
    return answer;
  }
  // Step 2.
  std::vector<std::size_t> sent;
  std::vector<task> batch;
  for (std::size_t i = 0; i < tasks.size(); ++i)
    if (publish[i]) {
      sent.push_back(i);
      batch.push_back(std::move(tasks[i]));
    }
  if (batch.empty())
    return answer;
  const auto refusals = st.sink->publish(batch);
  std::vector<std::size_t> stored; // indexes into batch
  for (std::size_t k = 0; k < sent.size(); ++k) {
    if (refusals[k] == refusal::none)
      stored.push_back(k);
    else
      out[sent[k]].refused = refusals[k];
  }
  record(st, batch, stored, sent, out);
  return answer;
}

admission_actor::behavior_type cluster_admission(self_ptr self, std::shared_ptr<valkey_link> valkey,
                                                 std::shared_ptr<jetstream_sink> sink,
                                                 const op_registry* ops, dependency_health* health) {
  auto& st = self->state;
  st.valkey = std::move(valkey);
  st.sink = std::move(sink);
  st.ops = ops;
  st.health = health;
  st.valkey->declare({"claim", "admit", "ping"});
  return {
    [=](admit_atom, admission_request& round) { return admit(self, round); },
  };
}

} // namespace

admission_actor spawn_cluster_admission(caf::actor_system& sys, cluster_admission_config config,
                                        nats::connection* conn, const op_registry* ops,
                                        dependency_health* health) {
  if (!conn || !ops || !health)
    throw std::invalid_argument("spawn_cluster_admission: conn, ops and health are required");
  auto valkey = std::make_shared<valkey_link>(config.valkey, config.records, health,
                                              config.metrics); // throws on bad records options
  auto sink = std::make_shared<jetstream_sink>(conn, config.stream, ops, config.metrics);
  return sys.spawn<caf::detached>(cluster_admission, std::move(valkey), std::move(sink), ops,
                                  health);
}

} // namespace taskmesh::cluster
