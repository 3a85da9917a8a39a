// File: apps/taskmesh/config.hpp
// The process configuration, parsed once from the flag table in config.cpp
// (one row per setting: flag, TASKMESH_* environment variable, default,
// bounds, help; a flag wins over its variable) into the slices the parts
// of the program receive whole:
//   http     the HTTP layer's settings in http::context (limits, streams)
//   events   the event hub's limits (open streams)
//   graph    spawn_graph()'s graph_config (workers, in-flight bound, retry, op limits)
//   store    the in-memory store's store_config (bound, TTL)
//   access   the access gate's access_config (tokens, rate limits)
//   nats     the NATS layer's nats_config (connection, stream, consumers)
//   cluster  the rest of cluster mode (role, Valkey, worker id)
// What one flag sets in several slices (--queue-capacity also bounds the
// task stream, --subject-prefix names the consumers too) is filled in by
// the parse, so nothing downstream copies fields.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/graph.hpp"
#include "actors/pipeline.hpp"
#include "actors/task_events.hpp"
#include "transport/http/access/access_config.hpp"
#include "transport/http/context.hpp"
#include "transport/nats/nats_config.hpp"

namespace taskmesh::app {

// What one process runs (--role). Embedded mode is always `all`.
enum class process_role : std::uint8_t {
  all,    // HTTP intake and workers
  api,    // HTTP intake only
  worker, // workers only (serves health, metrics, stats)
};
const char* to_string(process_role r) noexcept;

// Cluster mode: set by --nats and --valkey (both or neither); NATS itself
// is the `nats` slice.
struct cluster_config {
  process_role role = process_role::all;
  std::string valkey;          // redis://[user:password@]host:port[/db]; empty: embedded mode
  std::string valkey_password; // overrides the URL's password (keep secrets out of URLs)
  std::uint32_t valkey_wait_replicas = 0; // replicas holding a result before its ack
  std::uint32_t fetch_batch = 64; // also nats.consumer.max_batch
  std::string worker_id;          // heartbeat name; default host:pid

  bool enabled() const noexcept { return !valkey.empty(); }
  bool runs_api() const noexcept { return role != process_role::worker; }
  bool runs_workers() const noexcept { return role != process_role::api; }
};

struct config {
  std::string listen = "0.0.0.0:8080"; // as given; split into the two below
  std::string listen_host = "0.0.0.0";
  std::uint16_t listen_port = 8080;
  std::uint32_t io_threads = 0; // unset: half the cores, at least 1
  std::uint64_t queue_capacity = 100'000;
  std::chrono::milliseconds drain_timeout{30'000};
  std::vector<std::string> disabled_ops;
  std::string log_level = "info";
  std::string log_format; // json|text; "" = json unless stdout is a terminal

  http::http_config http;
  event_limits events;
  graph_config graph = [] {
    graph_config g;
    g.workers = 0; // unset: number of cores
    return g;
  }();
  store_config store;
  http::access_config access;
  nats::nats_config nats = [] {
    nats::nats_config n;
    n.connection.servers.clear(); // empty: embedded mode; --nats enables cluster mode
    return n;
  }();
  cluster_config cluster;
};

// The CPUs this process may run on: its affinity mask (taskset, a cpuset,
// the Kubernetes static CPU manager), not every CPU the machine has; at
// least 1. The default of --workers (and, halved, of --io-threads), and the
// cap on CAF's scheduler threads. (A CPU quota without a cpuset is not seen
// here.)
unsigned usable_cores();

// Parses argv. On --help/--version prints and returns the exit code 0; on an
// invalid value prints a message naming the flag and returns exit code 2.
// Otherwise returns nullopt and fills `out`.
std::optional<int> parse_config(int argc, char** argv, config& out);

// The flag table as data (tests, docs): one entry per row, in --help order.
struct setting {
  std::string flag;
  std::string env;
  std::string help;
};
std::vector<setting> settings();

} // namespace taskmesh::app
