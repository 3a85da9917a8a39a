// File: transport/http/context.hpp
// Everything a handler may use, handed to it explicitly (no globals): the op
// registry and validation limits, the intake queue, the bridge to the actor
// graph for reads, health flags and the metrics registry.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/registry.h>

#include "actors/codec/task_codec.hpp"
#include "actors/intake_queue.hpp"
#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "actors/task_events.hpp"
#include "transport/http/web_asset.hpp"

namespace taskmesh::http {

class request_metrics;
class access_gate;

struct server_limits {
  std::size_t max_body = 1 << 20;
  std::size_t max_header = 16 * 1024;
  std::chrono::milliseconds read_timeout{30'000};  // whole request, incl. idle keep-alive
  std::chrono::milliseconds header_timeout{10'000}; // request line + headers, incl. idle keep-alive
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t max_connections = 10'000;
  std::uint32_t max_connections_per_ip = 0; // 0 = no per-IP cap
};

// Process lifecycle as the health checks see it.
struct health_state {
  std::atomic<bool> started{false};
  std::atomic<bool> draining{false};
  // External services this process needs (cluster mode), kept current by
  // the transports; not ready while any is down.
  std::vector<std::pair<std::string, const std::atomic<bool>*>> dependencies;

  bool dependencies_ok() const noexcept {
    for (const auto& [name, up] : dependencies)
      if (!up->load())
        return false;
    return true;
  }
  bool ready() const noexcept { return started.load() && !draining.load() && dependencies_ok(); }
};

// What the configuration decides for the HTTP layer (the app's `http`
// slice, handed over whole).
struct http_config {
  server_limits limits;
  std::chrono::milliseconds stream_heartbeat{15'000}; // comment line on idle streams
  // A stream's client must take each 64 KiB within this, or it is dropped.
  std::chrono::milliseconds stream_write_timeout{5'000};
};

struct context : http_config {
  const op_registry* ops = nullptr;
  codec_limits codec;
  intake_queue* queue = nullptr;
  bridge_actor bridge;
  health_state* health = nullptr;
  prometheus::Registry* registry = nullptr;
  request_metrics* http_metrics = nullptr;
  const access_gate* gate = nullptr; // nullptr: every route open, no rate limit
  std::string mode = "embedded";
  // Event streams (GET /task/{id}/events, GET /events): null answers 404.
  task_event_hub* events = nullptr;
  std::chrono::milliseconds stats_interval{1'000};    // GET /events period
  web_assets web;                                     // the UI's files; empty: no UI
};

} // namespace taskmesh::http
