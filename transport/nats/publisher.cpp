// File: transport/nats/publisher.cpp
// publish_async: nats.c's async publish with a routing table natsMsg* ->
// (batch, index): nats.c has one ack handler per JetStream context and
// hands it the original message, so the table finds whose outcome it is. An
// entry is added before the message is handed over (the PubAck can beat the
// return of js_PublishMsgAsync) and removed by whoever settles it first.
// publish_batch: plain publishes whose reply subject is
// <inbox>.<call>.<index>, the PubAcks read from a sync subscription on
// <inbox>.> by the caller; <call> tells a late PubAck of an earlier call
// from this call's.
#include "transport/nats/publisher.hpp"

#include <charconv>
#include <chrono>
#include <mutex>
#include <optional>
#include <string_view>
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

  // publish_batch's own: the reply inbox, subscribed on first use.
  std::mutex batch_mtx; // one publish_batch at a time
  std::string reply_prefix; // "<inbox>."
  subscription_ptr replies;
  std::uint64_t calls = 0;

  error subscribe_replies() {
    if (replies)
      return {};
    char* inbox = nullptr;
    if (auto e = from_status(natsInbox_Create(&inbox)))
      return e;
    reply_prefix = std::string(inbox) + ".";
    natsInbox_Destroy(inbox);
    natsSubscription* raw = nullptr;
    if (auto e = from_status(natsConnection_SubscribeSync(&raw, nc, (reply_prefix + ">").c_str())))
      return e;
    replies.reset(raw);
    natsSubscription_SetPendingLimits(raw, -1, -1); // a PubAck is never dropped for a limit
    return {};
  }

  std::optional<slot> settle(natsMsg* m) {
    std::lock_guard lock(mtx);
    auto it = in_flight.find(m);
    if (it == in_flight.end())
      return std::nullopt;
    slot s = std::move(it->second);
    in_flight.erase(it);
    return s;
  }

  void count(const publish_result& r) noexcept {
    if (r.err)
      probe.failed.fetch_add(1, std::memory_order_relaxed);
    else
      (r.duplicate ? probe.duplicates : probe.stored).fetch_add(1, std::memory_order_relaxed);
  }

  void deliver(const slot& s, publish_result r) noexcept {
    count(r);
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

error build_message(msg_ptr& out, const outgoing_message& m, const char* reply = nullptr) {
  natsMsg* raw = nullptr;
  if (auto e = from_status(natsMsg_Create(&raw, m.subject.c_str(), reply, m.payload.data(),
                                          static_cast<int>(m.payload.size()))))
    return e;
  out.reset(raw);
  // JetStream's dedupe key, set here for both paths (what
  // jsPubOptions::MsgId would make js_PublishMsgAsync set).
  if (!m.msg_id.empty())
    if (auto e = from_status(natsMsgHeader_Set(raw, "Nats-Msg-Id", m.msg_id.c_str())))
      return e;
  if (!m.traceparent.empty())
    if (auto e = from_status(natsMsgHeader_Set(raw, "traceparent", m.traceparent.c_str())))
      return e;
  for (const auto& [key, value] : m.headers)
    if (auto e = from_status(natsMsgHeader_Add(raw, key.c_str(), value.c_str())))
      return e;
  return {};
}

// "<call>.<index>" after the reply prefix; false for anything else.
bool parse_reply_subject(std::string_view tail, std::uint64_t& call, std::size_t& index) {
  const auto dot = tail.find('.');
  if (dot == std::string_view::npos)
    return false;
  const auto* p = tail.data();
  const auto a = std::from_chars(p, p + dot, call);
  const auto b = std::from_chars(p + dot + 1, p + tail.size(), index);
  return a.ec == std::errc{} && a.ptr == p + dot && b.ec == std::errc{} && b.ptr == p + tail.size();
}

// publish_batch's results as they come in, counted in the probe once each.
struct batch_outcomes {
  batch_outcomes(publisher::impl& im, std::size_t n)
    : im(im), results(n), settled(n, false), remaining(n) {}

  void settle(std::size_t i, publish_result r) {
    im.count(r);
    results[i] = std::move(r);
    settled[i] = true;
    --remaining;
  }
  void fail_rest(const error& e) {
    for (std::size_t i = 0; i < results.size(); ++i)
      if (!settled[i])
        settle(i, {e, 0, false});
  }

  publisher::impl& im;
  std::vector<publish_result> results;
  std::vector<bool> settled;
  std::size_t remaining;
};

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
  auto& im = *impl_;
  batch_outcomes out(im, batch.size());
  std::lock_guard lock(im.batch_mtx);
  const auto deadline = clock::now() + im.opts.ack_timeout;
  if (natsConnection_Status(im.nc) != NATS_CONN_STATUS_CONNECTED) {
    out.fail_rest(make_error(NATS_CONNECTION_DISCONNECTED, "not connected to NATS"));
    return std::move(out.results);
  }
  if (auto e = im.subscribe_replies()) {
    out.fail_rest(e);
    return std::move(out.results);
  }

  // Publish, each with its reply subject <inbox>.<call>.<index>.
  const auto call = ++im.calls;
  const std::string call_prefix = im.reply_prefix + std::to_string(call) + ".";
  std::string reply;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    reply.assign(call_prefix).append(std::to_string(i));
    msg_ptr msg;
    auto e = build_message(msg, batch[i], reply.c_str());
    if (!e)
      e = from_status(natsConnection_PublishMsg(im.nc, msg.get()));
    if (e)
      out.settle(i, {std::move(e), 0, false});
    else
      im.probe.published.fetch_add(1, std::memory_order_relaxed);
  }

  // Read PubAcks until each message has one or the deadline passes.
  const std::string_view prefix = im.reply_prefix;
  while (out.remaining > 0) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0)
      break;
    natsMsg* raw = nullptr;
    const natsStatus s = natsSubscription_NextMsg(&raw, im.replies.get(), left.count());
    if (s == NATS_TIMEOUT)
      break;
    if (s != NATS_OK) { // the connection closed under us
      out.fail_rest(from_status(s));
      break;
    }
    msg_ptr answer(raw);
    const std::string_view subject = natsMsg_GetSubject(raw);
    std::uint64_t of_call = 0;
    std::size_t i = 0;
    if (!subject.starts_with(prefix) ||
        !parse_reply_subject(subject.substr(prefix.size()), of_call, i) || of_call != call ||
        i >= batch.size() || out.settled[i])
      continue; // late PubAck of an earlier call, or a repeat
    out.settle(i, read_pub_ack(raw));
  }
  out.fail_rest(make_error(NATS_TIMEOUT, "no PubAck within ack_timeout"));
  return std::move(out.results);
}

const publisher_probe& publisher::probe() const noexcept { return impl_->probe; }

} // namespace taskmesh::nats
