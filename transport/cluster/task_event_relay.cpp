// File: transport/cluster/task_event_relay.cpp
#include "transport/cluster/task_event_relay.hpp"

#include <algorithm>
#include <charconv>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "transport/cluster/op_by_name.hpp"
#include "transport/valkey/record_codec.hpp"

namespace taskmesh::cluster {
namespace {

// NATS refuses messages over max_payload (1 MiB by default): records are
// packed into messages up to this size, and a bigger record goes without
// its result.
constexpr std::size_t max_message = 256 * 1024;

boost::json::object event_object(const task_record& r, std::string_view type, bool elide) {
  boost::json::object o;
  for (auto& [name, value] : valkey::encode_record(r, type))
    o[name] = value;
  if (elide) {
    o["result"] = "";
    o["elided"] = true;
  }
  return o;
}


} // namespace

std::string events_subject(std::string_view prefix) {
  return std::string{prefix} + ".events";
}

std::string cancelled_subject(std::string_view prefix) {
  return std::string{prefix} + ".cancelled";
}

void cancelled_tasks::add(const task_id& id) {
  std::shared_ptr<run_claim> waiting;
  {
    std::lock_guard lock{mu_};
    if (!ids_.insert(id).second)
      return;
    order_.push_back(id);
    while (order_.size() > capacity_) {
      ids_.erase(order_.front());
      order_.pop_front();
    }
    if (auto it = waiting_.find(id); it != waiting_.end()) {
      waiting = it->second.lock();
      waiting_.erase(it);
    }
  }
  if (waiting)
    waiting->try_cancel(); // wakes the worker holding it (outside our lock)
}

std::shared_ptr<run_claim> cancelled_tasks::claim(const task_id& id, bool will_wait) {
  std::lock_guard lock{mu_};
  if (ids_.contains(id)) {
    auto c = std::make_shared<run_claim>();
    c->try_cancel();
    return c;
  }
  if (!will_wait)
    return nullptr;
  auto c = std::make_shared<run_claim>();
  waiting_[id] = c;
  if (waiting_.size() >= prune_at_) {
    std::erase_if(waiting_, [](const auto& entry) { return entry.second.expired(); });
    prune_at_ = std::max<std::size_t>(1024, waiting_.size() * 2);
  }
  return c;
}

bool cancelled_tasks::contains(const task_id& id) const {
  std::lock_guard lock{mu_};
  return ids_.contains(id);
}

std::string encode_events(std::span<const task_record* const> records, const op_registry& ops) {
  boost::json::array a;
  for (const auto* r : records) {
    const auto type = ops.name(r->op);
    a.push_back(event_object(*r, type, r->result.size() > max_message / 2));
  }
  return boost::json::serialize(a);
}

std::vector<decoded_event> decode_events(std::string_view body, const op_registry& ops,
                                         std::size_t* bad) {
  std::vector<decoded_event> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_array()) {
    if (bad)
      ++*bad;
    return out;
  }
  for (const auto& item : v.get_array()) {
    const auto* o = item.if_object();
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    if (o)
      for (const auto& [name, value] : *o)
        if (const auto* s = value.if_string())
          fields.emplace_back(std::string_view{name}, std::string_view{*s});
    auto stored = valkey::decode_record(fields);
    const auto op = stored ? op_by_name(ops, stored->type) : std::nullopt;
    if (!op) {
      if (bad)
        ++*bad;
      continue;
    }
    decoded_event e{std::move(stored->record), false};
    e.record.op = *op;
    if (const auto* el = o->if_contains("elided"); el && el->is_bool())
      e.elided = el->get_bool();
    out.push_back(std::move(e));
  }
  return out;
}

void event_publisher::publish(std::span<const task_record* const> records) const noexcept {
  try {
    std::size_t begin = 0;
    while (begin < records.size()) {
      // Pack records until the message would pass max_message.
      std::size_t end = begin;
      std::size_t size = 0;
      while (end < records.size() && (end == begin || size + records[end]->result.size() + 512 <= max_message)) {
        size += records[end]->result.size() + 512;
        ++end;
      }
      const auto body = encode_events(records.subspan(begin, end - begin), *ops_);
      if (auto s = natsConnection_Publish(nc_, subject_.c_str(), body.data(), static_cast<int>(body.size()));
          s != NATS_OK)
        spdlog::debug("task events: publish failed: {}", natsStatus_GetText(s));
      begin = end;
    }
    for (const auto* r : records)
      if (r->status == task_status::cancelled) {
        const auto id = r->id.to_string();
        natsConnection_Publish(nc_, cancelled_.c_str(), id.data(), static_cast<int>(id.size()));
      }
  } catch (const std::exception& e) {
    spdlog::warn("task events: not published: {}", e.what());
  }
}

struct event_subscriber::state {
  const op_registry* ops = nullptr;
  task_event_hub* hub = nullptr;
  bridge_actor bridge;
  cancelled_tasks* cancelled = nullptr;
};

namespace {

void on_message(natsConnection*, natsSubscription*, natsMsg* raw, void* closure) noexcept {
  nats::msg_ptr msg{raw};
  auto& st = *static_cast<event_subscriber::state*>(closure);
  if (st.cancelled) {
    const std::string_view text{natsMsg_GetData(raw), static_cast<std::size_t>(natsMsg_GetDataLength(raw))};
    if (auto id = task_id::parse(text))
      st.cancelled->add(*id);
    return;
  }
  try {
    std::size_t bad = 0;
    const std::string_view body{natsMsg_GetData(raw), static_cast<std::size_t>(natsMsg_GetDataLength(raw))};
    for (auto& e : decode_events(body, *st.ops, &bad)) {
      if (!e.elided) {
        st.hub->publish(e.record);
        continue;
      }
      // The result was too big to travel: read the whole record.
      caf::anon_send(st.bridge, get_atom::value, e.record.id,
                     lookup_callback{[hub = st.hub](lookup_result found) {
                       if (found.outcome == lookup_result::kind::found)
                         hub->publish(found.record);
                     }});
    }
    if (bad > 0)
      spdlog::warn("task events: {} entries did not decode", bad);
  } catch (const std::exception& e) {
    spdlog::warn("task events: message dropped: {}", e.what());
  }
}

} // namespace

std::unique_ptr<event_subscriber> event_subscriber::start(natsConnection* nc,
                                                          std::string_view prefix,
                                                          const op_registry* ops,
                                                          task_event_hub* hub,
                                                          bridge_actor bridge) {
  auto st = std::make_unique<state>();
  st->ops = ops;
  st->hub = hub;
  st->bridge = std::move(bridge);
  return subscribe(nc, events_subject(prefix), std::move(st));
}

std::unique_ptr<event_subscriber> event_subscriber::start(natsConnection* nc,
                                                          std::string_view prefix,
                                                          cancelled_tasks* cancelled) {
  auto st = std::make_unique<state>();
  st->cancelled = cancelled;
  return subscribe(nc, cancelled_subject(prefix), std::move(st));
}

std::unique_ptr<event_subscriber> event_subscriber::subscribe(natsConnection* nc,
                                                              const std::string& subject,
                                                              std::unique_ptr<state> st) {
  auto out = std::unique_ptr<event_subscriber>(new event_subscriber);
  out->state_ = std::move(st);
  natsSubscription* sub = nullptr;
  if (auto s = natsConnection_Subscribe(&sub, nc, subject.c_str(), on_message, out->state_.get());
      s != NATS_OK)
    throw std::runtime_error("subscribe " + subject + ": " + natsStatus_GetText(s));
  out->sub_.reset(sub);
  // Events arrive in bursts under load: let the subscription buffer more than
  // nats.c's default before it calls the consumer slow.
  natsSubscription_SetPendingLimits(sub, 1'000'000, 512 * 1024 * 1024);
  return out;
}

event_subscriber::~event_subscriber() {
  if (sub_) {
    natsSubscription_Drain(sub_.get()); // no callback runs after the wait below
    natsSubscription_WaitForDrainCompletion(sub_.get(), 1000);
  }
}

} // namespace taskmesh::cluster
