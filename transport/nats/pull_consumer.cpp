// File: transport/nats/pull_consumer.cpp
// fetch(): what arrived since the last fetch first, else wait on the one
// open pull request (see the header for the protocol).
#include "transport/nats/pull_consumer.hpp"

#include <algorithm>
#include <cstring>

namespace taskmesh::nats {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// How long fetch() waits for the next message of a batch the server is
// still sending (see fetch).
constexpr milliseconds batch_gap{2};

bool is_delivery(natsMsg* m) noexcept {
  const char* reply = natsMsg_GetReply(m);
  return reply && std::strncmp(reply, "$JS.ACK.", 8) == 0;
}

std::string header_or_empty(natsMsg* m, const char* key) {
  const char* v = nullptr;
  return natsMsgHeader_Get(m, key, &v) == NATS_OK && v ? v : "";
}

} // namespace

struct pull_consumer::arrival {
  enum class kind { nothing, delivery, status, failed } what = kind::nothing;
  bool ends_request = false; // a status of the request we wait for
  error err;                 // kind::failed, or a refusing status
};

pull_consumer::pull_consumer(connection& conn, std::shared_ptr<natsSubscription> sub,
                             std::string inbox, std::string stream, std::string durable,
                             int max_batch, std::int64_t created_ns, std::uint64_t pending)
  : conn_(&conn),
    sub_(std::move(sub)),
    inbox_(std::move(inbox)),
    stream_(std::move(stream)),
    durable_(std::move(durable)),
    next_subject_("$JS.API.CONSUMER.MSG.NEXT." + stream_ + "." + durable_),
    max_batch_(max_batch),
    created_ns_(created_ns),
    last_pending_(pending) {}

pull_consumer::~pull_consumer() {
  // Drain: nats.c unsubscribes and flushes, so whatever the server sent
  // before it saw that still reaches NextMsg; each becomes a delivery whose
  // destructor NAKs it. NextMsg fails once the drain is complete.
  if (natsSubscription_Drain(sub_.get()) != NATS_OK)
    return; // connection closed: the server redelivers after AckWait
  const auto until = clock::now() + milliseconds(200);
  while (clock::now() < until) {
    natsMsg* raw = nullptr;
    if (natsSubscription_NextMsg(&raw, sub_.get(), 50) != NATS_OK)
      break;
    msg_ptr msg(raw);
    if (is_delivery(msg.get()))
      delivery(std::move(msg), sub_, conn_->raw(), conn_->options().api_timeout, true);
  }
}

result<std::unique_ptr<pull_consumer>> pull_consumer::bind(connection& conn,
                                                           const std::string& stream,
                                                           const std::string& durable,
                                                           int max_batch) {
  if (max_batch < 1 || max_batch > max_fetch_batch)
    return make_error(NATS_INVALID_ARG, "max_batch must be 1.." + std::to_string(max_fetch_batch));
  auto found = consumer_info(conn, stream, durable);
  if (!found)
    return found.err();
  natsInbox* raw_inbox = nullptr;
  if (const auto s = natsInbox_Create(&raw_inbox); s != NATS_OK)
    return from_status(s);
  std::string inbox = std::string(raw_inbox) + ".";
  natsInbox_Destroy(raw_inbox);
  natsSubscription* raw = nullptr;
  if (const auto s = natsConnection_SubscribeSync(&raw, conn.raw(), (inbox + "*").c_str());
      s != NATS_OK)
    return from_status(s);
  std::shared_ptr<natsSubscription> sub(raw, [](natsSubscription* p) {
    natsSubscription_Unsubscribe(p);
    natsSubscription_Destroy(p);
  });
  // Deliveries wait here between fetches: never drop one for a limit.
  natsSubscription_SetPendingLimits(sub.get(), -1, -1);
  return std::unique_ptr<pull_consumer>(
    new pull_consumer(conn, std::move(sub), std::move(inbox), stream, durable, max_batch,
                      found->created_ns, found->pending));
}

error pull_consumer::send_request(int batch) {
  open_reply_ = inbox_ + std::to_string(++requests_);
  const std::string body = "{\"batch\":" + std::to_string(batch) + "}";
  probe_.pull_requests.fetch_add(1, std::memory_order_relaxed);
  disconnects_ = conn_->probe().disconnects.load(std::memory_order_relaxed);
  if (auto e = from_status(natsConnection_PublishRequest(conn_->raw(), next_subject_.c_str(),
                                                         open_reply_.c_str(), body.data(),
                                                         static_cast<int>(body.size())))) {
    credit_ = 0;
    return e;
  }
  credit_ = batch;
  return {};
}

pull_consumer::arrival pull_consumer::receive(milliseconds wait, bool late,
                                              std::vector<delivery>& out, int max) {
  // Nothing queued and no time to wait: say so without NextMsg, whose
  // timeout formats an error text (vsnprintf) into nats.c's thread-local
  // error state on every empty poll.
  if (wait.count() == 0) {
    int msgs = 0, bytes = 0;
    if (natsSubscription_GetPending(sub_.get(), &msgs, &bytes) == NATS_OK && msgs == 0)
      return {};
  }
  natsMsg* raw = nullptr;
  const natsStatus s = natsSubscription_NextMsg(&raw, sub_.get(), wait.count());
  if (s == NATS_TIMEOUT)
    return {};
  if (s != NATS_OK)
    return {arrival::kind::failed, false, from_status(s)};
  msg_ptr msg(raw);
  if (is_delivery(msg.get())) {
    credit_ = std::max(credit_ - 1, 0);
    const bool fits = static_cast<int>(out.size()) < max;
    delivery d(std::move(msg), sub_, conn_->raw(), conn_->options().api_timeout, late || !fits);
    last_pending_ = d.num_pending();
    if (fits)
      out.push_back(std::move(d));
    else
      held_.push_back(std::move(d));
    return {arrival::kind::delivery, false, {}};
  }
  if (credit_ == 0 || open_reply_ != natsMsg_GetSubject(msg.get())) {
    probe_.stale_statuses.fetch_add(1, std::memory_order_relaxed);
    return {arrival::kind::status, false, {}};
  }
  const auto status = header_or_empty(msg.get(), "Status");
  if (status == "100")
    return {arrival::kind::status, false, {}}; // idle heartbeat (we never ask for one)
  credit_ = 0; // any other status ends the request
  if (status == "404" || status == "408")
    return {arrival::kind::status, true, {}};
  if (status == "503")
    return {arrival::kind::status, true,
            make_error(NATS_NO_RESPONDERS, "no JetStream consumer " + stream_ + "/" + durable_ +
                                             " answered the pull request")};
  return {arrival::kind::status, true,
          make_error(NATS_ERR, "pull request refused: " + status + " " +
                                 header_or_empty(msg.get(), "Description"))};
}

result<std::vector<delivery>> pull_consumer::fetch(int max, milliseconds expires) {
  probe_.fetches.fetch_add(1, std::memory_order_relaxed);
  max = std::clamp(max, 1, max_batch_);
  expires = std::clamp(expires, milliseconds(0), max_fetch_expiry);
  const auto deadline = clock::now() + expires;
  std::vector<delivery> out;
  auto finish = [&]() -> result<std::vector<delivery>> {
    std::uint64_t late = 0;
    for (const auto& d : out)
      late += d.late() ? 1 : 0;
    probe_.messages.fetch_add(out.size(), std::memory_order_relaxed);
    probe_.late.fetch_add(late, std::memory_order_relaxed);
    return std::move(out);
  };
  auto failed = [&](error e) -> result<std::vector<delivery>> {
    probe_.errors.fetch_add(1, std::memory_order_relaxed);
    held_.insert(held_.begin(), std::make_move_iterator(out.begin()),
                 std::make_move_iterator(out.end())); // handed out next time
    return e;
  };
  // Takes everything already queued (no waiting); false on a failure.
  auto drain = [&](bool late, error& err) {
    for (;;) {
      auto a = receive(milliseconds(0), late, out, max);
      if (a.what == arrival::kind::nothing)
        return true;
      if (a.what == arrival::kind::failed || (a.err && out.empty())) {
        err = std::move(a.err);
        return false;
      }
    }
  };

  // 1. What arrived since the last fetch.
  while (!held_.empty() && static_cast<int>(out.size()) < max) {
    out.push_back(std::move(held_.front()));
    held_.pop_front();
  }
  if (error e; !drain(true, e))
    return failed(std::move(e));
  if (!out.empty())
    return finish();

  // 2. Make sure a request is open, then wait for its next message(s).
  if (natsConnection_Status(conn_->raw()) != NATS_CONN_STATUS_CONNECTED)
    return failed(make_error(NATS_CONNECTION_DISCONNECTED, "not connected to NATS"));
  if (credit_ > 0 && conn_->probe().disconnects.load(std::memory_order_relaxed) != disconnects_)
    credit_ = 0; // the server dropped it with the old connection
  if (credit_ == 0)
    if (auto e = send_request(max))
      return failed(std::move(e));
  for (;;) {
    const auto left = std::chrono::ceil<milliseconds>(deadline - clock::now());
    if (left <= milliseconds(0))
      return finish();
    auto a = receive(left, false, out, max);
    if (a.what == arrival::kind::nothing)
      return finish();
    if (a.what == arrival::kind::failed)
      return failed(std::move(a.err));
    if (a.what == arrival::kind::delivery) {
      // The server sends a batch back to back. While the last message says
      // more are pending in the consumer and the request still has
      // credit, the next one is microseconds away: keep taking.
      for (;;) {
        if (error e; !drain(false, e))
          return failed(std::move(e));
        if (static_cast<int>(out.size()) >= max || credit_ == 0 || last_pending_ == 0)
          return finish();
        const auto gap = std::min(batch_gap, std::chrono::ceil<milliseconds>(deadline - clock::now()));
        if (gap <= milliseconds(0) || receive(gap, false, out, max).what != arrival::kind::delivery)
          return finish();
      }
    }
    if (a.ends_request)
      return a.err ? failed(std::move(a.err)) : finish();
  }
}

result<consumer_stats> pull_consumer::info() { return consumer_info(*conn_, stream_, durable_); }

error pull_consumer::check_recreated() {
  auto now = info();
  if (!now)
    return now.err();
  if (now->created_ns != created_ns_) {
    created_ns_ = now->created_ns;
    credit_ = 0;
  }
  return {};
}

} // namespace taskmesh::nats
