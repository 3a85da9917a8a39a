// File: transport/cluster/task_event_relay.hpp
// How every api pod learns task transitions in cluster mode (GET
// /task/{id}/events on any pod): the pod whose store applied a record change
// (a worker pod after a Valkey update; an api pod after a cancel) publishes
// the changed records on the NATS core subject <prefix>.events, one message
// per batch, fire and forget; every api pod subscribes and hands them to its
// task_event_hub. Worker pods publish only while an api pod watches
// (valkey_store_config::watched_by): no events cross NATS nobody reads. Core NATS, not JetStream: a lost event costs a stream one
// transition, and each event carries the whole record, so the next one (or a
// reconnect) still ends the stream right.
//
// A record whose result would make the message too big travels without it
// ("elided"); the subscriber then reads the record from the store (through
// the bridge) before publishing it locally.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nats/nats.h>

#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "actors/task_events.hpp"
#include "transport/nats/nats_handle.hpp"

namespace taskmesh::cluster {

std::string events_subject(std::string_view prefix);
// Ids of cancelled tasks, for worker pods (see cancelled_tasks).
std::string cancelled_subject(std::string_view prefix);

// One message body: a JSON array with one object per record: the Valkey
// record fields as record_codec writes them (every field, values as strings;
// delay_ms and attempt_started_at among them, for progress), plus
// "elided": true where the result was left out.
std::string encode_events(std::span<const task_record* const> records, const op_registry& ops);
struct decoded_event {
  task_record record;
  bool elided = false; // result left out: read the record from the store
};
// Skips (and counts in `bad`) entries that do not decode.
std::vector<decoded_event> decode_events(std::string_view body, const op_registry& ops,
                                         std::size_t* bad = nullptr);

// Worker pods and api pods: publishes changed records. Never blocks for long
// (nats.c buffers; while disconnected the buffer is bounded and a full one
// drops the message).
// Cancelled records also go, as bare ids, to <prefix>.cancelled.
class event_publisher {
public:
  event_publisher(natsConnection* nc, std::string_view prefix, const op_registry* ops)
      : nc_(nc), subject_(events_subject(prefix)), cancelled_(cancelled_subject(prefix)), ops_(ops) {}
  void publish(std::span<const task_record* const> records) const noexcept;

private:
  natsConnection* nc_;
  std::string subject_;
  std::string cancelled_;
  const op_registry* ops_;
};

// Worker pods: the tasks cancelled lately (bounded; the oldest are forgotten
// first), from <prefix>.cancelled. The JetStream feeder gives a task it
// receives that is in here a cancelled run claim, and the worker acks it
// without running it. A task that will wait on this pod (delay_ms, a retry
// not yet due) gets a live claim, registered here: a cancel that arrives
// while it waits wakes its worker, which acks it and frees its in-flight
// slot at once. A cancel this pod missed (core NATS, or older than the
// bound) only costs a run whose result Valkey then ignores: the record is
// final.
class cancelled_tasks {
public:
  explicit cancelled_tasks(std::size_t capacity = 100'000) : capacity_(capacity) {}
  void add(const task_id& id);
  bool contains(const task_id& id) const;
  // The run claim a received task goes to its worker with: cancelled if it
  // was, live and registered if it will wait, else none (nullptr).
  std::shared_ptr<run_claim> claim(const task_id& id, bool will_wait);

private:
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_set<task_id> ids_;
  std::deque<task_id> order_;
  // Claims of waiting tasks; entries whose task is gone are pruned as it grows.
  std::unordered_map<task_id, std::weak_ptr<run_claim>> waiting_;
  std::size_t prune_at_ = 1024;
};

// Api pods: the subscription; destroying it unsubscribes (and waits for a
// callback in progress).
class event_subscriber {
public:
  // Api pods: <prefix>.events into `hub`.
  static std::unique_ptr<event_subscriber> start(natsConnection* nc, std::string_view prefix,
                                                 const op_registry* ops, task_event_hub* hub,
                                                 bridge_actor bridge);
  // Worker pods: <prefix>.cancelled into `cancelled`.
  static std::unique_ptr<event_subscriber> start(natsConnection* nc, std::string_view prefix,
                                                 cancelled_tasks* cancelled);
  ~event_subscriber();

  struct state;

private:
  static std::unique_ptr<event_subscriber> subscribe(natsConnection* nc, const std::string& subject,
                                                     std::unique_ptr<state> st);
  std::unique_ptr<state> state_;
  nats::subscription_ptr sub_;
};

} // namespace taskmesh::cluster
