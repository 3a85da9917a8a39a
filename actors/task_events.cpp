// File: actors/task_events.cpp
#include "actors/task_events.hpp"

#include <algorithm>
#include <stdexcept>

namespace taskmesh {

std::uint32_t transition_seq(const task_record& r) noexcept {
  std::uint32_t stage = 0;
  if (is_terminal(r.status))
    stage = 3;
  else if (r.status == task_status::running)
    stage = 1;
  else if (r.attempts > 0)
    stage = 2; // queued again, waiting out a retry backoff
  return std::uint32_t{r.attempts} * 4 + stage;
}

event_stream::~event_stream() {
  hub_.release(*this);
}

std::vector<task_event> event_stream::take() {
  std::lock_guard lock{hub_.mu_};
  return std::exchange(inbox_, {});
}

bool event_stream::closed() const {
  std::lock_guard lock{hub_.mu_};
  return closed_;
}

bool event_stream::overflowed() const {
  std::lock_guard lock{hub_.mu_};
  return overflowed_;
}

std::shared_ptr<event_stream> task_event_hub::open(std::string tenant, std::function<void()> wake) {
  std::lock_guard lock{mu_};
  if (closing_ || streams_.size() >= limits_.max_streams)
    return nullptr;
  auto& mine = per_tenant_[tenant];
  if (limits_.max_per_tenant > 0 && mine >= limits_.max_per_tenant)
    return nullptr;
  ++mine;
  std::shared_ptr<event_stream> s{new event_stream(*this, std::move(tenant), std::move(wake))};
  streams_.insert(s.get());
  return s;
}

std::vector<task_event> task_event_hub::watch(event_stream& stream, const task_id& id) {
  std::lock_guard lock{mu_};
  if (stream.watching_)
    throw std::logic_error("task_event_hub::watch: this stream watches a task already");
  auto [it, added] = watches_.try_emplace(id);
  auto& entry = it->second;
  if (added)
    watched_.store(watches_.size(), std::memory_order_relaxed);
  else if (entry.streams.empty())
    idle_.erase(entry.idle_pos);
  entry.streams.push_back(&stream);
  stream.watching_ = true;
  stream.task_ = id;
  return entry.history;
}

void task_event_hub::deliver(event_stream& s, const task_event& e) {
  if (s.closed_)
    return;
  if (s.inbox_.size() >= limits_.inbox) {
    // The session has not taken anything for a while: its client does not
    // read. Drop it rather than buffer without bound or wait for it.
    s.inbox_.clear();
    s.closed_ = s.overflowed_ = true;
    dropped_.fetch_add(1, std::memory_order_relaxed);
    s.wake_();
    return;
  }
  const bool was_empty = s.inbox_.empty();
  s.inbox_.push_back(e);
  if (was_empty)
    s.wake_();
}

void task_event_hub::publish(const task_record& r) {
  if (!limits_.keep_unwatched && watched_.load(std::memory_order_relaxed) == 0)
    return;
  std::lock_guard lock{mu_};
  auto it = watches_.find(r.id);
  if (it == watches_.end()) {
    if (!limits_.keep_unwatched)
      return;
    it = watches_.try_emplace(r.id).first;
    make_idle(r.id, it->second);
    it = watches_.find(r.id); // make_idle may have erased others (never this one)
  }
  auto& entry = it->second;
  const auto seq = transition_seq(r);
  // Repeats (a redelivered update, a record seen from two sources) are
  // published once; running -> running with the same attempt is one event.
  if (!entry.history.empty() && transition_seq(*entry.history.back()) >= seq)
    return;
  auto e = std::make_shared<const task_record>(r);
  if (entry.history.size() >= limits_.history)
    entry.history.erase(entry.history.begin());
  entry.history.push_back(e);
  for (auto* s : entry.streams)
    deliver(*s, e);
}

void task_event_hub::release(event_stream& s) {
  std::lock_guard lock{mu_};
  streams_.erase(&s);
  if (auto t = per_tenant_.find(s.tenant_); t != per_tenant_.end() && --t->second == 0)
    per_tenant_.erase(t);
  if (!s.watching_)
    return;
  auto it = watches_.find(s.task_);
  if (it == watches_.end())
    return;
  auto& entry = it->second;
  std::erase(entry.streams, &s);
  if (!entry.streams.empty())
    return;
  make_idle(s.task_, entry);
}

// Keeps the history a while for a reconnect; the oldest idle one goes first.
void task_event_hub::make_idle(const task_id& id, watch_entry& entry) {
  entry.idle_pos = idle_.insert(idle_.end(), id);
  while (idle_.size() > limits_.kept_histories) {
    watches_.erase(idle_.front());
    idle_.pop_front();
  }
  watched_.store(watches_.size(), std::memory_order_relaxed);
}

void task_event_hub::close_all() {
  std::lock_guard lock{mu_};
  closing_ = true;
  for (auto* s : streams_) {
    if (s->closed_)
      continue;
    s->closed_ = true;
    s->wake_();
  }
}

std::size_t task_event_hub::open_streams() const {
  std::lock_guard lock{mu_};
  return streams_.size();
}

} // namespace taskmesh
