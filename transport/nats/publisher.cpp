// File: transport/nats/publisher.cpp
// Async publish with a routing table natsMsg* -> (batch, index): nats.c has
// one ack handler per JetStream context and hands it the original message,
// so the table finds whose outcome it is. An entry is added before the
// message is handed over (the PubAck can beat the return of
// js_PublishMsgAsync) and removed by whoever settles it first.
#include "transport/nats/publisher.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace taskmesh::nats {
namespace {

using clock = std::chrono::steady_clock;

struct batch_state {
  ack_fn on_ack;
};

struct slot {
  std::shared_ptr<batch_state> batch;
  std::size_t index = 0;
};

} // namespace

struct publisher::impl {
  natsConnection* nc = nullptr;
  publish_options opts;
  js_ptr js;
  publisher_probe probe;
  std::mutex mtx;
  std::unordered_map<natsMsg*, slot> in_flight;

  std::optional<slot> settle(natsMsg* m) {
    std::lock_guard lock(mtx);
    auto it = in_flight.find(m);
    if (it == in_flight.end())
      return std::nullopt;
    slot s = std::move(it->second);
    in_flight.erase(it);
    return s;
  }

  void deliver(const slot& s, publish_result r) noexcept {
    if (r.err)
      probe.failed.fetch_add(1, std::memory_order_relaxed);
    else
      (r.duplicate ? probe.duplicates : probe.stored).fetch_add(1, std::memory_order_relaxed);
    s.batch->on_ack(s.index, std::move(r)); // contract: does not throw
  }
};

namespace {

// nats.c ack handler: runs on the reply subscription's thread, or on the
// timer thread for a PubAck timeout. We own `msg` from here on.
void on_pub_ack(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) noexcept {
  auto* self = static_cast<publisher::impl*>(closure);
  if (auto s = self->settle(msg)) {
    publish_result r;
    if (pa) {
      r.sequence = pa->Sequence;
      r.duplicate = pa->Duplicate;
    } else if (pae) {
      r.err = error{make_error_code(pae->Err), static_cast<int>(pae->ErrCode),
                    pae->ErrText ? pae->ErrText : ""};
    } else {
      r.err = make_error(NATS_ERR, "PubAck handler called without ack or error");
    }
    self->deliver(*s, std::move(r));
  }
  natsMsg_Destroy(msg);
}

error build_message(msg_ptr& out, const outgoing_message& m) {
  natsMsg* raw = nullptr;
  if (auto e = from_status(natsMsg_Create(&raw, m.subject.c_str(), nullptr, m.payload.data(),
                                          static_cast<int>(m.payload.size()))))
    return e;
  out.reset(raw);
  if (!m.traceparent.empty())
    if (auto e = from_status(natsMsgHeader_Set(raw, "traceparent", m.traceparent.c_str())))
      return e;
  for (const auto& [key, value] : m.headers)
    if (auto e = from_status(natsMsgHeader_Add(raw, key.c_str(), value.c_str())))
      return e;
  return {};
}

} // namespace

publisher::publisher(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

result<std::unique_ptr<publisher>> publisher::create(connection& conn, const publish_options& opts) {
  auto p = std::make_unique<impl>();
  p->nc = conn.raw();
  p->opts = opts;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = conn.options().api_timeout.count();
  jo.PublishAsync.MaxPending = opts.max_pending;
  jo.PublishAsync.StallWait = opts.ack_timeout.count();
  jo.PublishAsync.AckHandler = on_pub_ack;
  jo.PublishAsync.AckHandlerClosure = p.get();
  jsCtx* js = nullptr;
  if (auto e = from_status(natsConnection_JetStream(&js, conn.raw(), &jo)))
    return e;
  p->js.reset(js);
  return std::unique_ptr<publisher>(new publisher(std::move(p)));
}

publisher::~publisher() {
  if (!impl_ || !impl_->js)
    return;
  jsCtx* js = impl_->js.get();
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = impl_->opts.ack_timeout.count();
  if (js_PublishAsyncComplete(js, &wait) != NATS_OK) {
    // Take back what is still unanswered: nats.c will not call us for it.
    msg_list pending;
    if (js_PublishAsyncGetPendingList(pending.out(), js) == NATS_OK)
      for (int i = 0; i < pending.size(); ++i)
        if (auto s = impl_->settle(pending.at(i)))
          impl_->deliver(*s, {make_error(NATS_CONNECTION_CLOSED, "publisher closed before PubAck"),
                              0, false});
    // A handler that was already running finishes before this returns.
    wait.MaxWait = 1'000;
    js_PublishAsyncComplete(js, &wait);
  }
  impl_->js.reset();
}

void publisher::publish_async(std::span<const outgoing_message> batch, ack_fn on_ack) {
  auto state = std::make_shared<batch_state>(batch_state{std::move(on_ack)});
  const auto deadline = clock::now() + impl_->opts.ack_timeout;
  auto refuse = [&](std::size_t i, error e) { impl_->deliver(slot{state, i}, {std::move(e), 0, false}); };

  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& m = batch[i];
    if (natsConnection_Status(impl_->nc) != NATS_CONN_STATUS_CONNECTED) {
      refuse(i, make_error(NATS_CONNECTION_DISCONNECTED, "not connected to NATS"));
      continue;
    }
    if (clock::now() >= deadline) {
      refuse(i, make_error(NATS_TIMEOUT, "publish stalled past ack_timeout (too many in flight)"));
      continue;
    }
    msg_ptr msg;
    if (auto e = build_message(msg, m)) {
      refuse(i, std::move(e));
      continue;
    }
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = impl_->opts.ack_timeout.count();
    if (!m.msg_id.empty())
      po.MsgId = m.msg_id.c_str();

    natsMsg* key = msg.get();
    {
      std::lock_guard lock(impl_->mtx);
      impl_->in_flight.emplace(key, slot{state, i});
    }
    natsMsg* raw = msg.release();
    const natsStatus s = js_PublishMsgAsync(impl_->js.get(), &raw, &po);
    if (s == NATS_OK) { // nats.c owns it now (raw was set to NULL)
      impl_->probe.published.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    msg.reset(raw); // still ours
    auto e = from_status(s);
    if (auto sl = impl_->settle(key))
      impl_->deliver(*sl, {std::move(e), 0, false});
  }
}

std::vector<publish_result> publisher::publish_batch(std::span<const outgoing_message> batch) {
  struct waiter {
    std::mutex mtx;
    std::condition_variable cv;
    std::size_t remaining;
    std::vector<publish_result> results;
    std::vector<bool> done;
  };
  auto w = std::make_shared<waiter>();
  w->remaining = batch.size();
  w->results.resize(batch.size());
  w->done.resize(batch.size(), false);

  const auto deadline = clock::now() + impl_->opts.ack_timeout + std::chrono::milliseconds(250);
  // `w` is shared with the callbacks: one that comes after we gave up
  // writes into a waiter nobody reads any more, which is harmless.
  publish_async(batch, [w](std::size_t i, publish_result r) {
    bool last = false;
    {
      std::lock_guard lock(w->mtx);
      if (w->done[i])
        return;
      w->done[i] = true;
      w->results[i] = std::move(r);
      last = --w->remaining == 0;
    }
    if (last)
      w->cv.notify_all();
  });

  std::unique_lock lock(w->mtx);
  w->cv.wait_until(lock, deadline, [&] { return w->remaining == 0; });
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (!w->done[i]) {
      w->done[i] = true;
      w->results[i].err = make_error(NATS_TIMEOUT, "no PubAck within ack_timeout");
    }
  return w->results;
}

const publisher_probe& publisher::probe() const noexcept { return impl_->probe; }

} // namespace taskmesh::nats
