// File: actors/memory_store.cpp
#include "actors/memory_store.hpp"

#include <algorithm>
#include <chrono>

#include "actors/task_events.hpp"

namespace taskmesh {
namespace {

using self_ptr = memory_store_actor::stateful_pointer<memory_store_state>;

// Expiry runs at least this often; short TTLs (tests) are swept sooner.
constexpr auto max_sweep_interval = std::chrono::milliseconds(1000);

std::chrono::milliseconds sweep_interval(const store_config& c) {
  return std::clamp(c.result_ttl / 4, std::chrono::milliseconds(10), max_sweep_interval);
}

void erase_record(memory_store_state& st, const task_id& id) {
  st.records.erase(id, [&](const task_record& r) {
    if (r.idempotency_key.empty())
      return;
    auto k = st.by_idempotency_key.find(r.idempotency_key);
    if (k != st.by_idempotency_key.end() && k->second == id)
      st.by_idempotency_key.erase(k);
  });
}

void evict_over_capacity(memory_store_state& st) {
  while (st.records.size() > st.config.max_records && !st.finished_order.empty()) {
    erase_record(st, st.finished_order.front().second);
    st.finished_order.pop_front();
  }
}

void expire(memory_store_state& st, timestamp now) {
  const auto ttl = std::chrono::duration_cast<std::chrono::microseconds>(st.config.result_ttl).count();
  while (!st.finished_order.empty() && st.finished_order.front().first + ttl <= now) {
    erase_record(st, st.finished_order.front().second);
    st.finished_order.pop_front();
  }
}

void publish(memory_store_state& st, const task_record& r) {
  if (st.config.events)
    st.config.events->publish(r);
}

admission admit_one(memory_store_state& st, task_record& r) {
  if (!r.idempotency_key.empty()) {
    auto [k, inserted] = st.by_idempotency_key.try_emplace(r.idempotency_key, r.id);
    if (!inserted) {
      if (auto* original = st.records.find(k->second))
        return {original->id, original->status, true};
      k->second = r.id; // the original expired: the key is free again
    }
  }
  admission a{r.id, task_status::queued, false};
  auto [stored, inserted] = st.records.insert(std::move(r));
  if (inserted)
    publish(st, *stored);
  return a;
}

void publish_size(memory_store_state& st) {
  st.gauges->records.store(static_cast<std::int64_t>(st.records.size()), std::memory_order_relaxed);
}

// One round, in one step: each task is recorded (or answered as a
// duplicate), and the new ones come back to run in this process.
admission_answer admit(self_ptr self, admission_request& round) {
  auto& st = self->state;
  admission_answer out;
  out.admissions.reserve(round.tasks.size());
  if (self->clock().now() >= round.deadline) {
    out.admissions.resize(round.tasks.size());
    for (std::size_t i = 0; i < round.tasks.size(); ++i)
      out.admissions[i] = {round.tasks[i].id, task_status::queued, false,
                           admission::refusal::unavailable};
    return out;
  }
  out.run_here.reserve(round.tasks.size());
  for (auto& t : round.tasks) {
    t.claim = std::make_shared<run_claim>(); // DELETE /task/{id} claims it before a worker does
    auto r = queued_record(t);
    const auto a = admit_one(st, r);
    out.admissions.push_back(a);
    if (!a.duplicate)
      out.run_here.push_back(std::move(t));
  }
  evict_over_capacity(st);
  publish_size(st);
  return out;
}

void apply_update(memory_store_state& st, task_record& u) {
  auto* found = st.records.find(u.id);
  if (!found)
    return; // cannot happen for live tasks; tolerate a late duplicate update
  auto& r = *found;
  if (is_terminal(r.status))
    return; // terminal is final (cancelled included): a later update changes nothing
  r.status = u.status;
  r.attempts = u.attempts;
  r.started_at = u.started_at;
  r.finished_at = u.finished_at;
  r.next_attempt_at = u.next_attempt_at;
  r.result = std::move(u.result);
  r.error = std::move(u.error);
  r.delay_ms = u.delay_ms;
  r.attempt_started_at = u.attempt_started_at;
  if (is_terminal(r.status)) {
    st.finished_order.emplace_back(r.finished_at, r.id);
    r.claim.reset(); // nothing can cancel a terminal record
  }
  publish(st, r);
}

// A queued or delayed task nobody started becomes cancelled; the run claim
// it shares with its task makes the worker drop it instead of running it.
cancel_result cancel(memory_store_state& st, const task_id& id) {
  auto* r = st.records.find(id);
  if (!r)
    return {cancel_result::kind::not_found, {}};
  if (is_terminal(r->status) || !r->claim || !r->claim->try_cancel())
    return {cancel_result::kind::not_cancellable, *r};
  r->status = task_status::cancelled;
  r->finished_at = now_us();
  r->next_attempt_at = 0;
  r->claim.reset();
  st.finished_order.emplace_back(r->finished_at, r->id);
  publish(st, *r);
  return {cancel_result::kind::cancelled, *r};
}

} // namespace

memory_store_actor::behavior_type
memory_store(memory_store_actor::stateful_pointer<memory_store_state> self, store_config config,
             pipeline_gauges* gauges) {
  self->state.config = config;
  self->state.gauges = gauges;
  self->delayed_send(self, sweep_interval(self->state.config), sweep_atom::value);
  return {
    [=](admit_atom, admission_request& round) { return admit(self, round); },
    [=](update_atom, std::vector<task_record>& batch) {
      auto& st = self->state;
      for (auto& u : batch)
        apply_update(st, u);
      evict_over_capacity(st);
      publish_size(st);
    },
    [=](get_atom, const task_id& id) -> caf::result<task_record> {
      if (auto* r = self->state.records.find(id))
        return *r;
      return caf::make_error(errc::not_found);
    },
    [=](cancel_atom, const task_id& id) { return cancel(self->state, id); },
    [=](sweep_atom) {
      expire(self->state, now_us());
      publish_size(self->state);
      self->delayed_send(self, sweep_interval(self->state.config), sweep_atom::value);
    },
  };
}

} // namespace taskmesh
