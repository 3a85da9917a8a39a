// File: apps/taskmesh/config.hpp
// The process configuration: parsed once from flags (and TASKMESH_*
// environment variables; a flag wins) into this plain struct. Each part of
// the program then receives only its slice.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "transport/http/access/access_config.hpp"

namespace taskmesh::app {

// What one process runs (--role). Embedded mode is always `all`.
enum class process_role : std::uint8_t {
  all,    // HTTP intake and workers
  api,    // HTTP intake only
  worker, // workers only (serves health, metrics, stats)
};
const char* to_string(process_role r) noexcept;

// Cluster mode: set by --nats and --valkey (both or neither).
struct cluster_config {
  process_role role = process_role::all;
  std::string nats;          // server URLs, comma separated; empty: embedded mode
  std::string valkey;        // redis://[user:password@]host:port[/db]; empty: embedded mode
  std::string valkey_password; // overrides the URL's password (keep secrets out of URLs)
  std::string nats_creds;
  std::string nats_token;
  std::string nats_user;
  std::string nats_password;
  std::string nats_tls_ca;
  std::string nats_tls_cert;
  std::string nats_tls_key;
  std::string stream_name = "TASKS";
  std::string subject_prefix = "taskmesh";
  int stream_replicas = 1;
  std::uint32_t fetch_batch = 64;
  std::chrono::milliseconds ack_wait{30'000};
  int max_ack_pending = 1024;
  std::string worker_id; // heartbeat name; default host:pid

  bool enabled() const noexcept { return !nats.empty(); }
  bool runs_api() const noexcept { return role != process_role::worker; }
  bool runs_workers() const noexcept { return role != process_role::api; }
};

struct config {
  std::string listen_host = "0.0.0.0";
  std::uint16_t listen_port = 8080;
  std::uint32_t workers = 0;     // unset: number of cores
  std::uint32_t io_threads = 0;  // unset: number of cores
  std::uint64_t queue_capacity = 100'000;
  std::uint32_t max_in_flight = 10'000;
  std::uint64_t max_body = 1 << 20;
  std::uint64_t max_records = 1'000'000;
  std::chrono::milliseconds result_ttl{24 * 3600 * 1000};
  std::chrono::milliseconds retry_base_delay{100};
  std::chrono::milliseconds drain_timeout{30'000};
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds header_timeout{10'000};
  std::uint64_t max_result_bytes = 1 << 20;
  std::chrono::milliseconds op_timeout{10'000};
  std::uint32_t max_connections = 10'000;
  std::uint32_t max_streams = 10'000;          // open event streams (SSE)
  std::uint32_t max_streams_per_tenant = 0;    // 0: only max_streams
  std::chrono::milliseconds stream_heartbeat{15'000};
  std::chrono::milliseconds stream_write_timeout{5'000}; // a stream's client must take 64 KiB this often
  std::vector<std::string> disabled_ops;
  std::string log_level = "info";
  std::string log_format; // json|text; "" = json unless stdout is a terminal
  http::access_config access; // tokens, rate limits, per-IP connections
  cluster_config cluster;
};

// Parses argv. On --help/--version prints and returns the exit code 0; on an
// invalid value prints a message naming the flag and returns exit code 2.
// Otherwise returns nullopt and fills `out`.
std::optional<int> parse_config(int argc, char** argv, config& out);

} // namespace taskmesh::app
