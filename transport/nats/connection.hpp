// File: transport/nats/connection.hpp
// One NATS connection and its JetStream admin context. Reconnects forever by
// default (connection_options), and reports its state two ways: an atomic
// `connected()` flag (readiness probes read it) and an optional event
// callback. The callback runs on a nats.c thread through a noexcept
// trampoline: it must only record or post (send a message), never block or
// throw.
//
// Blocking: open() and the destructor (see below); everything else is a
// plain read.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "transport/nats/nats_config.hpp"
#include "transport/nats/nats_error.hpp"
#include "transport/nats/nats_handle.hpp"

namespace taskmesh::nats {

enum class connection_event : std::uint8_t {
  connected,    // first connect done in the background (retry_on_failed_connect)
  disconnected, // lost the server; nats.c is reconnecting
  reconnected,  // back
  closed,       // closed for good (destructor, or reconnect attempts exhausted)
};
const char* to_string(connection_event e) noexcept;

using event_callback = std::function<void(connection_event)>;

// Counters owned by the connection (read them for metrics).
struct connection_probe {
  std::atomic<std::uint64_t> disconnects{0};
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<std::uint64_t> async_errors{0}; // slow consumer and other async errors
};

// natsOptions from `opts`, without callbacks and without I/O except reading
// the TLS and credentials files, so a missing or bad file fails here (with
// nats.c's text naming the problem), not at connect time.
result<options_ptr> build_options(const connection_options& opts);

class connection {
public:
  // BLOCKS: tries each server once, each attempt bounded by connect_timeout.
  // If none answers: with retry_on_failed_connect (default) it returns a
  // connection that is not yet connected and keeps trying in the background
  // (connected() turns true, callback gets `connected`); without it, returns
  // the error.
  static result<std::unique_ptr<connection>> open(const connection_options& opts,
                                                  event_callback on_event = {});

  // BLOCKS up to ~2 s: closes the connection (pending writes are flushed)
  // and waits for nats.c's closed callback, so no callback can run after.
  // Destroy publishers and pull consumers first.
  ~connection();

  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  bool connected() const noexcept;
  const connection_probe& probe() const noexcept;

  natsConnection* raw() const noexcept { return nc_.get(); }
  // The admin JetStream context: API requests wait up to api_timeout.
  jsCtx* jetstream() const noexcept { return js_.get(); }
  const connection_options& options() const noexcept { return opts_; }

  struct state; // callback target, lives as long as nats.c may call it

private:
  connection(connection_options opts, std::unique_ptr<state> st);

  connection_options opts_;
  std::unique_ptr<state> state_;
  connection_ptr nc_;
  js_ptr js_;
};

} // namespace taskmesh::nats
