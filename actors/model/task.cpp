// File: actors/model/task.cpp
#include "actors/model/task.hpp"

namespace taskmesh {

bool run_claim::try_start() {
  std::lock_guard lock{mu_};
  if (state_ != state::idle)
    return false;
  state_ = state::started;
  tell_ = nullptr;
  return true;
}

void run_claim::release() {
  std::lock_guard lock{mu_};
  state_ = state::idle;
}

bool run_claim::try_cancel() {
  std::function<void()> tell;
  {
    std::lock_guard lock{mu_};
    if (state_ != state::idle)
      return false;
    state_ = state::cancelled;
    tell = std::move(tell_);
  }
  if (tell)
    tell();
  return true;
}

bool run_claim::cancelled_already() const {
  std::lock_guard lock{mu_};
  return state_ == state::cancelled;
}

void run_claim::on_cancel(std::function<void()> tell) {
  {
    std::lock_guard lock{mu_};
    if (state_ != state::cancelled) {
      tell_ = std::move(tell);
      return;
    }
  }
  tell();
}

std::string_view to_string(priority p) noexcept {
  return p == priority::high ? "high" : "normal";
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
    t.idempotency_key.insert(0, std::string{tenant} + ":");
}

} // namespace taskmesh
