// File: actors/task_events.hpp
// Live task transitions for the HTTP event streams (GET /task/{id}/events,
// GET /events). The store publishes every record change it applies
// (embedded: memory_store; cluster api pods: the NATS event subscriber);
// each open stream has an inbox here that its HTTP session drains. Like the
// intake queue this is plain shared data, not an actor: publishers and
// sessions only take a short lock, nobody waits on anybody.
//
// Bounds: open streams per process and per tenant, undelivered events per
// stream (a stream that falls behind is dropped, never waited for), and a
// short history per watched task so a reconnect with Last-Event-ID misses
// nothing. Tasks nobody watches cost one atomic load per record.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "actors/model/task.hpp"

namespace taskmesh {

// A record's place in its task's life as one number that only grows: the
// SSE event id. attempts * 4 + stage, stage 1 running, 2 queued for a retry,
// 3 terminal; the first queued record is 0. The same record gives the same
// number on every pod, so Last-Event-ID also works on another api pod.
std::uint32_t transition_seq(const task_record& r) noexcept;

using task_event = std::shared_ptr<const task_record>;

struct event_limits {
  std::size_t max_streams = 10'000;  // open streams in this process
  std::size_t max_per_tenant = 0;    // per tenant (auth); 0: no cap of its own
  std::size_t inbox = 256;           // undelivered events before a stream is dropped
  std::size_t history = 32;          // events kept per watched task
  std::size_t kept_histories = 4096; // tasks no longer watched whose history is kept
  // Keep the history of tasks nobody watches too (the most recent
  // kept_histories of them): cluster api pods, where a client may reconnect
  // with Last-Event-ID to another pod than the one it watched on.
  bool keep_unwatched = false;
};

class task_event_hub;

// One open stream. The session that owns it calls take() after wake ran.
class event_stream {
public:
  ~event_stream();
  event_stream(const event_stream&) = delete;
  event_stream& operator=(const event_stream&) = delete;

  // What arrived since the last call, oldest first.
  std::vector<task_event> take();
  // Closed by the hub: on shutdown, or because the inbox overflowed.
  bool closed() const;
  bool overflowed() const;

private:
  friend class task_event_hub;
  event_stream(task_event_hub& hub, std::string tenant, std::function<void()> wake)
      : hub_(hub), tenant_(std::move(tenant)), wake_(std::move(wake)) {}

  task_event_hub& hub_;
  std::string tenant_;
  std::function<void()> wake_; // posts to the session's executor; must not block
  std::vector<task_event> inbox_;
  bool watching_ = false;
  task_id task_;
  bool closed_ = false;
  bool overflowed_ = false;
};

class task_event_hub {
public:
  explicit task_event_hub(event_limits limits = {}) : limits_(limits) {}

  // A new stream, or nullptr when the process or the tenant is at its cap.
  // `wake` is called (from any thread) when events arrive or the stream closes.
  std::shared_ptr<event_stream> open(std::string tenant, std::function<void()> wake);

  // Delivers `id`'s transitions to `stream` from now on; returns the ones
  // kept from before (oldest first) for a Last-Event-ID replay. A stream
  // watches one task, once (GET /events streams watch none).
  std::vector<task_event> watch(event_stream& stream, const task_id& id);

  // A record the store has just applied. Cheap when nobody watches it.
  void publish(const task_record& r);

  // Shutdown: closes every stream (each ends cleanly) and refuses new ones.
  void close_all();

  std::size_t open_streams() const;
  std::uint64_t dropped() const noexcept { return dropped_.load(); }
  const event_limits& limits() const noexcept { return limits_; }

private:
  friend class event_stream;
  struct watch_entry {
    std::vector<task_event> history;
    std::vector<event_stream*> streams;
    std::list<task_id>::iterator idle_pos; // valid while streams is empty
  };
  void release(event_stream& s);
  void deliver(event_stream& s, const task_event& e); // mu_ held
  void make_idle(const task_id& id, watch_entry& entry); // mu_ held

  event_limits limits_;
  mutable std::mutex mu_;
  std::atomic<std::size_t> watched_{0}; // watches_.size(): publish's fast path
  boost::unordered_flat_map<task_id, watch_entry, std::hash<task_id>> watches_;
  std::list<task_id> idle_; // watched once, nobody now; oldest first
  std::unordered_set<event_stream*> streams_;
  std::unordered_map<std::string, std::size_t> per_tenant_;
  bool closing_ = false;
  std::atomic<std::uint64_t> dropped_{0};
};

} // namespace taskmesh
