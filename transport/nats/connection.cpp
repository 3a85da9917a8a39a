// File: transport/nats/connection.cpp
// natsOptions from connection_options, the connect, the state trampolines
// and the orderly close.
#include "transport/nats/connection.hpp"

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace taskmesh::nats {

struct connection::state {
  std::atomic<bool> connected{false};
  connection_probe probe;
  event_callback on_event;
  std::mutex mtx;
  std::condition_variable cv;
  bool closed = false;

  void emit(connection_event e) noexcept {
    if (on_event)
      on_event(e); // contract: does not throw (a throw here terminates)
  }
};

namespace {

using state = connection::state;

// nats.c callbacks: record the state, then tell the owner. noexcept: an
// exception must not unwind into C.
void on_connected(natsConnection*, void* closure) noexcept {
  auto* st = static_cast<state*>(closure);
  st->connected.store(true);
  st->emit(connection_event::connected);
}

void on_disconnected(natsConnection*, void* closure) noexcept {
  auto* st = static_cast<state*>(closure);
  st->connected.store(false);
  st->probe.disconnects.fetch_add(1, std::memory_order_relaxed);
  st->emit(connection_event::disconnected);
}

void on_reconnected(natsConnection*, void* closure) noexcept {
  auto* st = static_cast<state*>(closure);
  st->connected.store(true);
  st->probe.reconnects.fetch_add(1, std::memory_order_relaxed);
  st->emit(connection_event::reconnected);
}

void on_closed(natsConnection*, void* closure) noexcept {
  auto* st = static_cast<state*>(closure);
  st->connected.store(false);
  st->emit(connection_event::closed);
  {
    std::lock_guard lock(st->mtx);
    st->closed = true;
  }
  st->cv.notify_all();
}

void on_async_error(natsConnection*, natsSubscription*, natsStatus, void* closure) noexcept {
  static_cast<state*>(closure)->probe.async_errors.fetch_add(1, std::memory_order_relaxed);
}

// Runs `steps` in order and stops at the first failure.
template <class... Steps>
error run_steps(Steps&&... steps) {
  error e;
  ((e = e ? std::move(e) : from_status(steps())), ...);
  return e;
}

} // namespace

const char* to_string(connection_event e) noexcept {
  switch (e) {
    case connection_event::connected: return "connected";
    case connection_event::disconnected: return "disconnected";
    case connection_event::reconnected: return "reconnected";
    case connection_event::closed: return "closed";
  }
  return "?";
}

result<options_ptr> build_options(const connection_options& o) {
  natsOptions* raw = nullptr;
  if (auto e = from_status(natsOptions_Create(&raw)))
    return e;
  options_ptr opts(raw);

  auto servers = split_servers(o.servers);
  if (servers.empty())
    return make_error(NATS_INVALID_ARG, "no server URL in '" + o.servers + "'");
  std::vector<const char*> urls;
  for (const auto& s : servers)
    urls.push_back(s.c_str());

  natsOptions* p = opts.get();
  auto e = run_steps(
    [&] { return natsOptions_SetServers(p, urls.data(), static_cast<int>(urls.size())); },
    [&] { return natsOptions_SetName(p, o.name.c_str()); },
    [&] { return natsOptions_SetTimeout(p, o.connect_timeout.count()); },
    [&] { return natsOptions_SetAllowReconnect(p, true); },
    [&] { return natsOptions_SetMaxReconnect(p, o.max_reconnect); },
    [&] { return natsOptions_SetReconnectWait(p, o.reconnect_wait.count()); },
    [&] { return natsOptions_SetPingInterval(p, o.ping_interval.count()); },
    [&] { return natsOptions_SetMaxPingsOut(p, o.max_pings_out); },
    [&] { return natsOptions_SetSendAsap(p, o.send_asap); },
    [&] {
      // nats.c reads 0 as its 8 MiB default; 1 byte is the least it takes
      // (it still accepts one first small write).
      return natsOptions_SetReconnectBufSize(p, o.reconnect_buffer_bytes > 0 ? o.reconnect_buffer_bytes
                                                                              : 1);
    });
  if (e)
    return e;

  if (!o.token.empty())
    e = from_status(natsOptions_SetToken(p, o.token.c_str()));
  if (!e && !o.user.empty())
    e = from_status(natsOptions_SetUserInfo(p, o.user.c_str(), o.password.c_str()));
  if (!e && !o.creds_file.empty())
    e = from_status(natsOptions_SetUserCredentialsFromFiles(p, o.creds_file.c_str(), nullptr));
  if (!e && o.tls.enabled)
    e = from_status(natsOptions_SetSecure(p, true));
  if (!e && !o.tls.ca_file.empty())
    e = from_status(natsOptions_LoadCATrustedCertificates(p, o.tls.ca_file.c_str()));
  if (!e && !o.tls.cert_file.empty())
    e = from_status(
      natsOptions_LoadCertificatesChain(p, o.tls.cert_file.c_str(), o.tls.key_file.c_str()));
  if (!e && !o.tls.expected_hostname.empty())
    e = from_status(natsOptions_SetExpectedHostname(p, o.tls.expected_hostname.c_str()));
  if (e)
    return e;
  return opts;
}

connection::connection(connection_options opts, std::unique_ptr<state> st)
  : opts_(std::move(opts)), state_(std::move(st)) {}

result<std::unique_ptr<connection>> connection::open(const connection_options& opts,
                                                     event_callback on_event) {
  auto built = build_options(opts);
  if (!built)
    return built.err();
  natsOptions* p = built->get();

  auto st = std::make_unique<state>();
  st->on_event = std::move(on_event);
  void* closure = st.get();
  auto e = run_steps(
    [&] { return natsOptions_SetDisconnectedCB(p, on_disconnected, closure); },
    [&] { return natsOptions_SetReconnectedCB(p, on_reconnected, closure); },
    [&] { return natsOptions_SetClosedCB(p, on_closed, closure); },
    [&] { return natsOptions_SetErrorHandler(p, on_async_error, closure); },
    [&] {
      return natsOptions_SetRetryOnFailedConnect(p, opts.retry_on_failed_connect,
                                                 opts.retry_on_failed_connect ? on_connected : nullptr,
                                                 closure);
    });
  if (e)
    return e;

  std::unique_ptr<connection> conn(new connection(opts, std::move(st)));
  natsConnection* nc = nullptr;
  const natsStatus s = natsConnection_Connect(&nc, p);
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED)
    return from_status(s); // no connection object, no callback will come
  conn->nc_.reset(nc);
  if (s == NATS_OK)
    conn->state_->connected.store(true);

  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = opts.api_timeout.count();
  jsCtx* js = nullptr;
  if (auto je = from_status(natsConnection_JetStream(&js, nc, &jo)))
    return je; // ~connection closes nc
  conn->js_.reset(js);
  return conn;
}

connection::~connection() {
  js_.reset();
  if (!nc_)
    return;
  natsConnection_Close(nc_.get());
  bool closed = false;
  {
    std::unique_lock lock(state_->mtx);
    closed = state_->cv.wait_for(lock, std::chrono::seconds(2), [&] { return state_->closed; });
  }
  nc_.reset();
  if (!closed)
    (void)state_.release(); // nats.c may still call into it: leak it rather than crash
}

bool connection::connected() const noexcept { return state_->connected.load(); }

const connection_probe& connection::probe() const noexcept { return state_->probe; }

} // namespace taskmesh::nats
