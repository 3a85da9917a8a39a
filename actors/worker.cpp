// File: actors/worker.cpp
#include "actors/worker.hpp"

#include <chrono>
#include <optional>

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

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
  r.tenant = t.tenant;
  r.delay_ms = t.delay_ms;
  r.attempt_started_at = t.attempt_started_at;
  return r;
}

op_tally& tally(self_ptr self, op_index op) {
  auto& by_op = self->state.report.by_op;
  if (by_op.size() <= op)
    by_op.resize(self->state.ops->size());
  return by_op[op];
}

// Sends the outbox on: one message each to store, stats and dispatcher.
// Finished tasks are reported to the dispatcher (and receipts settled) only
// after the store confirmed their records: in cluster mode a task is acked
// only once its result is written.
void flush(self_ptr self, bool wants_work) {
  auto& st = self->state;
  const auto& r = st.report;
  if (!r.by_op.empty() || r.busy_ns > 0 || !r.queue_wait_us.empty() || !r.processing_us.empty())
    self->send(st.stats, report_atom::value, std::move(st.report));
  st.report = stats_report{};
  const auto finished = st.finished;
  st.finished = 0;
  auto tell_dispatcher = [self, finished, wants_work] {
    if (finished > 0 || wants_work)
      self->send(self->state.dispatcher, done_atom::value, worker_actor{self}, finished,
                 wants_work);
  };
  if (st.updates.empty()) {
    // Only cancelled tasks left (drop_cancelled): nothing to store first.
    for (auto& settle : st.settlements)
      settle();
    st.settlements.clear();
    tell_dispatcher();
    return;
  }
  auto settlements = std::make_shared<std::vector<std::function<void()>>>(std::move(st.settlements));
  st.settlements.clear();
  // Not stored (an error, or no answer by store_timeout): leave the
  // receipts unsettled, so the transport redelivers those tasks; still free
  // their in-flight slots here.
  const auto write =
    st.store_writes.add(self->clock().now() + st.store_timeout, tell_dispatcher);
  arm_sweep(self, st.store_writes);
  self->request(st.store, caf::infinite, update_atom::value, std::move(st.updates))
    .then(
      [=] {
        if (!self->state.store_writes.settle(write))
          return; // too late: already given up on
        for (auto& settle : *settlements)
          settle();
        tell_dispatcher();
      },
      [=](caf::error&) {
        if (self->state.store_writes.settle(write))
          tell_dispatcher();
      });
  st.updates.clear();
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
  if (status == task_status::succeeded)
    r.result = std::move(text);
  else
    r.error = std::move(text);
  auto& counts = tally(self, t.op);
  switch (status) {
    case task_status::succeeded: ++counts.succeeded; break;
    case task_status::failed: ++counts.failed; break;
    default: ++counts.dead; break;
  }
  self->state.report.processing_us.push_back(
    static_cast<std::uint32_t>(std::max<timestamp>(0, r.finished_at - t.attempt_started_at)));
  self->state.updates.push_back(std::move(r));
  if (t.receipt) {
    auto receipt = std::move(t.receipt);
    if (status == task_status::dead)
      self->state.settlements.emplace_back([receipt] { receipt->dead_letter(); });
    else
      self->state.settlements.emplace_back([receipt] { receipt->done(); });
  }
  ++self->state.finished;
}

// Keeps a task that waits on a timer; returns the ticket the timer (and a
// cancel) names it by. A task with a run claim asks it to send that cancel,
// so a task cancelled while it waits gives its in-flight slot back at once.
std::uint64_t hold(self_ptr self, task t) {
  auto& st = self->state;
  const auto ticket = ++st.next_ticket;
  if (t.claim) {
    caf::weak_actor_ptr weak{self->ctrl()};
    t.claim->on_cancel([weak, ticket] {
      if (auto strong = weak.lock())
        caf::anon_send(caf::actor_cast<worker_actor>(strong), cancel_atom::value, ticket);
    });
  }
  st.waiting.emplace(ticket, std::move(t));
  return ticket;
}

// The task held under `ticket`, or nullopt if a cancel dropped it meanwhile.
std::optional<task> take(self_ptr self, std::uint64_t ticket) {
  auto& waiting = self->state.waiting;
  auto it = waiting.find(ticket);
  if (it == waiting.end())
    return std::nullopt;
  auto t = std::move(it->second);
  waiting.erase(it);
  return t;
}

void drop_cancelled(self_ptr self, task& t);

void retry_later(self_ptr self, task& t, std::string error) {
  auto& st = self->state;
  const auto delay = st.retry.delay_for(t.attempts, next_random(st.random_state));
  auto r = record_of(t, task_status::queued);
  r.error = std::move(error);
  r.next_attempt_at = st.clock.wall_now() +
                      std::chrono::duration_cast<std::chrono::microseconds>(delay).count();
  st.updates.push_back(std::move(r));
  ++tally(self, t.op).retried;
  if (t.receipt) {
    // The transport redelivers it after the delay, to any worker; this
    // worker is done with it.
    auto receipt = std::move(t.receipt);
    st.settlements.emplace_back(
      [receipt, ms = static_cast<std::uint32_t>(delay.count())] { receipt->retry_after(ms); });
    ++st.finished;
    return;
  }
  self->delayed_send(self, delay, retry_atom::value, hold(self, std::move(t)));
}

// An op still running after op_budget::slow_after: record the task as
// running now, ahead of the outbox, so GET /task shows it (the store gets
// the final record later, from the same actor, so in order). A task from a
// transport also tells it the task is alive.
struct slow_run {
  self_ptr self;
  const task* t;
  static void tell(void* context) noexcept {
    auto* s = static_cast<slow_run*>(context);
    auto& st = s->self->state;
    s->self->send(st.store, update_atom::value,
                  std::vector<task_record>{record_of(*s->t, task_status::running)});
    if (s->t->receipt)
      s->t->receipt->in_progress();
  }
};

// A task cancelled (DELETE /task/{id}) before it ran: the store already
// holds its `cancelled` record and stats counted it, so it only leaves:
// its in-flight slot is freed and a transport receipt acknowledged.
void drop_cancelled(self_ptr self, task& t) {
  if (t.receipt) {
    auto receipt = std::move(t.receipt);
    self->state.settlements.emplace_back([receipt] { receipt->done(); });
  }
  ++self->state.finished;
}

// Runs the op now (any delay has passed) and records the outcome.
void execute(self_ptr self, task& t) {
  if (t.claim && !t.claim->try_start()) {
    drop_cancelled(self, t);
    return;
  }
  const auto& op = self->state.ops->at(t.op);
  static const boost::json::object no_params;
  boost::json::object params;
  if (!t.params.empty()) {
    boost::system::error_code ec;
    auto v = boost::json::parse(t.params.str(), ec);
    if (!ec && v.is_object())
      params = std::move(v.get_object());
  }
  auto& clock = self->state.clock;
  const auto began = clock.last();
  slow_run slow{self, &t};
  op_budget budget{self->state.op_limits, began, &slow_run::tell, &slow};
  auto outcome = op.run({t.payload, t.params.empty() ? no_params : params, t.attempts, budget});
  const auto ended = clock.tick();
  // The ops that need no forecast of their result's size are checked here.
  if (outcome.outcome == op_outcome::kind::ok && !budget.fits(outcome.value.size()))
    outcome = op_outcome::result_too_large(budget);
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
      if (t.attempts < t.max_attempts) {
        if (t.claim)
          t.claim->release(); // cancellable again while it waits for the retry
        retry_later(self, t, std::move(outcome.value));
      } else {
        finish(self, t, task_status::dead, std::move(outcome.value));
      }
      break;
  }
}

// Sleeps on a CAF timer until the attempt's delay has passed. A task with a
// receipt wakes every `keepalive` to tell its transport it is still alive.
// Returns false if the delay is already over.
bool wait_out_delay(self_ptr self, task& t) {
  if (t.delay_left_ms == 0)
    return false;
  auto wait = std::chrono::milliseconds(t.delay_left_ms);
  if (t.receipt) {
    t.receipt->in_progress();
    wait = std::min(wait, self->state.retry.keepalive);
  }
  t.delay_left_ms -= static_cast<std::uint32_t>(wait.count());
  self->delayed_send(self, wait, resume_atom::value, hold(self, std::move(t)));
  return true;
}

// A retry re-published by a cluster worker arrives at once, with the time
// its backoff ends (retry_at): it waits here, on a timer, telling its
// transport every `keepalive` that it is alive. False when it is due.
bool wait_until_due(self_ptr self, task& t) {
  const auto now = self->state.clock.wall_now();
  if (t.retry_at <= now)
    return false;
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(std::chrono::microseconds(t.retry_at - now));
  if (t.receipt) {
    t.receipt->in_progress();
    wait = std::min(wait, self->state.retry.keepalive);
  }
  self->delayed_send(self, wait, retry_atom::value, hold(self, std::move(t)));
  return true;
}

// Every attempt starts here: count it, then wait out delay_ms or run now.
void begin_attempt(self_ptr self, task& t) {
  if (t.claim && t.claim->cancelled_already()) {
    drop_cancelled(self, t);
    return;
  }
  const auto now = self->state.clock.wall_now();
  t.retry_at = 0;
  ++t.attempts;
  if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("task {} attempt {} started traceparent={}", t.id.to_string(), t.attempts,
                  t.traceparent);
  t.attempt_started_at = now;
  if (t.started_at == 0) {
    t.started_at = now;
    self->state.report.queue_wait_us.push_back(
      static_cast<std::uint32_t>(std::max<timestamp>(0, now - t.submitted_at)));
  }
  t.delay_left_ms = t.delay_ms;
  if (t.delay_ms > 0) {
    self->state.updates.push_back(record_of(t, task_status::running));
    wait_out_delay(self, t);
    return;
  }
  execute(self, t);
}

} // namespace

worker_actor::behavior_type worker(worker_actor::stateful_pointer<worker_state> self,
                                   const op_registry* ops, retry_policy retry,
                                   op_budget::limits op_limits, store_actor store,
                                   stats_actor stats, dispatcher_actor dispatcher) {
  auto& st = self->state;
  st.ops = ops;
  st.retry = retry;
  st.op_limits = op_limits;
  st.store = std::move(store);
  st.stats = std::move(stats);
  st.dispatcher = std::move(dispatcher);
  st.random_state = reinterpret_cast<std::uintptr_t>(self) ^
                    static_cast<std::uint64_t>(now_us());
  return {
    [=](run_atom, std::vector<task>& batch) {
      self->state.clock.reset();
      for (auto& t : batch)
        if (!wait_until_due(self, t))
          begin_attempt(self, t);
      flush(self, true);
    },
    [=](resume_atom, std::uint64_t ticket) {
      auto t = take(self, ticket);
      if (!t)
        return;
      self->state.clock.reset();
      if (wait_out_delay(self, *t))
        return;
      execute(self, *t);
      schedule_flush(self);
    },
    [=](retry_atom, std::uint64_t ticket) {
      auto t = take(self, ticket);
      if (!t)
        return;
      self->state.clock.reset();
      if (wait_until_due(self, *t))
        return;
      begin_attempt(self, *t);
      schedule_flush(self);
    },
    [=](cancel_atom, std::uint64_t ticket) {
      auto t = take(self, ticket);
      if (!t)
        return; // its wait had ended: it ran, or was dropped on waking
      drop_cancelled(self, *t);
      schedule_flush(self);
    },
    [=](sweep_atom) {
      auto& st = self->state;
      st.store_writes.expire(self->clock().now());
      arm_sweep(self, st.store_writes);
    },
    [=](flush_atom) {
      self->state.flush_scheduled = false;
      flush(self, false);
    },
  };
}

} // namespace taskmesh
