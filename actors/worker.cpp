// File: actors/worker.cpp
#include "actors/worker.hpp"

#include <chrono>

#include <boost/json/parse.hpp>

namespace taskmesh {
namespace {

using self_ptr = worker_actor::stateful_pointer<worker_state>;

std::uint64_t next_random(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

task_record record_of(const task& t, task_status status) {
  task_record r;
  r.id = t.id;
  r.op = t.op;
  r.prio = t.prio;
  r.status = status;
  r.attempts = t.attempts;
  r.max_attempts = t.max_attempts;
  r.submitted_at = t.submitted_at;
  r.started_at = t.started_at;
  r.idempotency_key = t.idempotency_key;
  return r;
}

op_tally& tally(self_ptr self, op_index op) {
  auto& by_op = self->state.report.by_op;
  if (by_op.size() <= op)
    by_op.resize(self->state.ops->size());
  return by_op[op];
}

// Sends the outbox on: one message each to store, stats and dispatcher.
void flush(self_ptr self, bool wants_work) {
  auto& st = self->state;
  if (!st.updates.empty())
    self->send(st.store, update_atom::value, std::move(st.updates));
  const auto& r = st.report;
  if (!r.by_op.empty() || r.busy_ns > 0 || !r.queue_wait_us.empty() || !r.processing_us.empty())
    self->send(st.stats, report_atom::value, std::move(st.report));
  if (st.finished > 0 || wants_work)
    self->send(st.dispatcher, done_atom::value, worker_actor{self}, st.finished, wants_work);
  st.updates.clear();
  st.report = stats_report{};
  st.finished = 0;
}

// Timer callbacks finish tasks one at a time; batch their outbox into one
// flush message that runs after whatever else is already in the mailbox.
void schedule_flush(self_ptr self) {
  if (!self->state.flush_scheduled) {
    self->state.flush_scheduled = true;
    self->send(self, flush_atom::value);
  }
}

void finish(self_ptr self, task& t, task_status status, std::string text) {
  auto r = record_of(t, status);
  r.finished_at = self->state.clock.wall_now();
  (status == task_status::succeeded ? r.result : r.error) = std::move(text);
  auto& counts = tally(self, t.op);
  switch (status) {
    case task_status::succeeded: ++counts.succeeded; break;
    case task_status::failed: ++counts.failed; break;
    default: ++counts.dead; break;
  }
  self->state.report.processing_us.push_back(
    static_cast<std::uint32_t>(std::max<timestamp>(0, r.finished_at - t.attempt_started_at)));
  self->state.updates.push_back(std::move(r));
  ++self->state.finished;
}

void retry_later(self_ptr self, task& t, std::string error) {
  auto& st = self->state;
  const auto delay = st.retry.delay_for(t.attempts, next_random(st.random_state));
  auto r = record_of(t, task_status::queued);
  r.error = std::move(error);
  r.next_attempt_at = now_us() + std::chrono::duration_cast<std::chrono::microseconds>(delay).count();
  st.updates.push_back(std::move(r));
  ++tally(self, t.op).retried;
  self->delayed_send(self, delay, retry_atom::value, std::move(t));
}

// Runs the op now (any delay has passed) and records the outcome.
void execute(self_ptr self, task& t) {
  const auto& op = self->state.ops->at(t.op);
  static const boost::json::object no_params;
  boost::json::object params;
  if (!t.params.empty()) {
    boost::system::error_code ec;
    auto v = boost::json::parse(t.params, ec);
    if (!ec && v.is_object())
      params = std::move(v.get_object());
  }
  auto& clock = self->state.clock;
  const auto began = clock.last();
  auto outcome = op.run({t.payload, t.params.empty() ? no_params : params, t.attempts});
  const auto ended = clock.tick();
  self->state.report.busy_ns += static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::nanoseconds>(ended - began).count());
  switch (outcome.outcome) {
    case op_outcome::kind::ok:
      finish(self, t, task_status::succeeded, std::move(outcome.value));
      break;
    case op_outcome::kind::permanent_failure:
      finish(self, t, task_status::failed, std::move(outcome.value));
      break;
    case op_outcome::kind::transient_failure:
      if (t.attempts < t.max_attempts)
        retry_later(self, t, std::move(outcome.value));
      else
        finish(self, t, task_status::dead, std::move(outcome.value));
      break;
  }
}

// Every attempt starts here: count it, then wait out delay_ms or run now.
void begin_attempt(self_ptr self, task& t) {
  const auto now = self->state.clock.wall_now();
  ++t.attempts;
  t.attempt_started_at = now;
  if (t.started_at == 0) {
    t.started_at = now;
    self->state.report.queue_wait_us.push_back(
      static_cast<std::uint32_t>(std::max<timestamp>(0, now - t.submitted_at)));
  }
  if (t.delay_ms > 0) {
    self->state.updates.push_back(record_of(t, task_status::running));
    self->delayed_send(self, std::chrono::milliseconds(t.delay_ms), resume_atom::value,
                       std::move(t));
    return;
  }
  execute(self, t);
}

} // namespace

worker_actor::behavior_type worker(worker_actor::stateful_pointer<worker_state> self,
                                   const op_registry* ops, retry_policy retry, store_actor store,
                                   stats_actor stats, dispatcher_actor dispatcher) {
  auto& st = self->state;
  st.ops = ops;
  st.retry = retry;
  st.store = std::move(store);
  st.stats = std::move(stats);
  st.dispatcher = std::move(dispatcher);
  st.random_state = reinterpret_cast<std::uintptr_t>(self) ^
                    static_cast<std::uint64_t>(now_us());
  return {
    [=](run_atom, std::vector<task>& batch) {
      self->state.clock.reset();
      for (auto& t : batch)
        begin_attempt(self, t);
      flush(self, true);
    },
    [=](resume_atom, task& t) {
      self->state.clock.reset();
      execute(self, t);
      schedule_flush(self);
    },
    [=](retry_atom, task& t) {
      self->state.clock.reset();
      begin_attempt(self, t);
      schedule_flush(self);
    },
    [=](flush_atom) {
      self->state.flush_scheduled = false;
      flush(self, false);
    },
  };
}

} // namespace taskmesh
