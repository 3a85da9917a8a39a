// File: actors/model/task.cpp
#include "actors/model/task.hpp"

#include <memory>

namespace taskmesh {

run_claim::~run_claim() { delete tell_.load(); }

bool run_claim::try_start() {
  auto expected = state::idle;
  if (!state_.compare_exchange_strong(expected, state::started))
    return false;
  delete tell_.exchange(nullptr); // started: no cancel can win any more
  return true;
}

void run_claim::release() { state_.store(state::idle); }

bool run_claim::try_cancel() {
  auto expected = state::idle;
  if (!state_.compare_exchange_strong(expected, state::cancelled))
    return false;
  take_and_call_tell();
  return true;
}

bool run_claim::cancelled_already() const { return state_.load() == state::cancelled; }

void run_claim::on_cancel(std::function<void()> tell) {
  delete tell_.exchange(new std::function<void()>(std::move(tell)));
  // A cancel that won before the store above found no callback (or the
  // replaced one): take this one now. The state is written before the
  // cancel's exchange, so one of the two exchanges sees the callback.
  if (state_.load() == state::cancelled)
    take_and_call_tell();
}

void run_claim::take_and_call_tell() {
  std::unique_ptr<std::function<void()>> tell{tell_.exchange(nullptr)};
  if (tell && *tell)
    (*tell)();
}

std::string_view to_string(priority p) noexcept {
  return p == priority::high ? "high" : "normal";
}

std::optional<priority> priority_named(std::string_view name) noexcept {
  if (name == "high")
    return priority::high;
  if (name == "normal")
    return priority::normal;
  return std::nullopt;
}

std::string_view to_string(task_status s) noexcept {
  switch (s) {
    case task_status::queued: return "queued";
    case task_status::running: return "running";
    case task_status::succeeded: return "succeeded";
    case task_status::failed: return "failed";
    case task_status::dead: return "dead";
    case task_status::cancelled: return "cancelled";
  }
  return "unknown";
}

bool is_terminal(task_status s) noexcept {
  return s == task_status::succeeded || s == task_status::failed || s == task_status::dead ||
         s == task_status::cancelled;
}

task_record queued_record(const task& t) {
  task_record r;
  r.id = t.id;
  r.op = t.op;
  r.prio = t.prio;
  r.status = task_status::queued;
  r.attempts = t.attempts;
  r.max_attempts = t.max_attempts;
  r.submitted_at = t.submitted_at;
  r.idempotency_key = t.idempotency_key;
  r.tenant = t.tenant;
  r.delay_ms = t.delay_ms;
  r.claim = t.claim;
  return r;
}

void assign_tenant(task& t, std::string_view tenant) {
  t.tenant.assign(tenant);
  if (!tenant.empty() && !t.idempotency_key.empty())
    t.idempotency_key = std::string{tenant} + ":" + t.idempotency_key.str();
}

} // namespace taskmesh
