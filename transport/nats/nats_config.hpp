// File: transport/nats/nats_config.hpp
// Plain configuration structs for the NATS layer, filled once from the flag
// table by the app and handed out in slices: `connection_options` to
// connection::open, `stream_options` + `consumer_options` to stream_setup
// and pull_consumer, `publish_options` to publisher. No defaults are read
// from the environment here.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace taskmesh::nats {

using std::chrono::milliseconds;

// The largest batch one pull request may ask for. Also set as the consumers'
// MaxRequestBatch, so the server refuses anything bigger (409).
inline constexpr int max_fetch_batch = 256;
// The longest wait of one fetch (pull_consumer::fetch; 0 = take what is
// there). Pull requests themselves never expire (see pull_consumer.hpp).
inline constexpr milliseconds max_fetch_expiry{60'000};

struct tls_options {
  bool enabled = false;          // natsOptions_SetSecure
  std::string ca_file;           // natsOptions_LoadCATrustedCertificates
  std::string cert_file;         // with key_file: natsOptions_LoadCertificatesChain
  std::string key_file;
  std::string expected_hostname; // natsOptions_SetExpectedHostname, optional
};

struct connection_options {
  std::string servers = "nats://127.0.0.1:4222"; // comma separated
  std::string name = "taskmesh";                 // shown by the server (connz)
  std::string creds_file;                        // JWT + NKey seed (natsOptions_SetUserCredentialsFromFiles)
  std::string token;
  std::string user;
  std::string password;
  tls_options tls;

  milliseconds connect_timeout{2'000}; // one (re)connect attempt
  milliseconds reconnect_wait{500};    // between attempts on the same server
  int max_reconnect = -1;              // -1: forever
  // Start even when no server is reachable: open() returns at once and the
  // connection comes up in the background (connected() turns true).
  bool retry_on_failed_connect = true;
  milliseconds ping_interval{5'000}; // a dead peer is noticed after about
  int max_pings_out = 2;             // ping_interval * (max_pings_out + 1)
  // What nats.c buffers while reconnecting (acks, naks). Publishes and pull
  // requests are refused while disconnected regardless (see publisher.hpp).
  int reconnect_buffer_bytes = 8 * 1024 * 1024;
  // Publish from the caller's thread (nats.c's SendAsap) instead of
  // buffering for nats.c's flusher thread, whose wake-up adds about 1.5 ms
  // to every publish that is waited on. Only worth it for a publisher that
  // batches on its own: see apps/taskmesh/config.cpp.
  bool send_asap = false;
  milliseconds api_timeout{5'000}; // each JetStream API request (stream/consumer admin, info, ack_sync)
};

struct stream_options {
  std::string name = "TASKS";
  std::string subject_prefix = "taskmesh";
  int replicas = 1;                       // --stream-replicas
  std::chrono::seconds duplicate_window{120}; // Nats-Msg-Id de-duplication window
  std::int64_t max_msgs = -1;             // tasks stream bound, -1: none; when full,
  std::int64_t max_bytes = -1;            //   publishes are refused (discard new)
  std::chrono::seconds dead_max_age{7 * 24 * 3600}; // dead letters kept this long
  std::int64_t dead_max_msgs = 1'000'000;           // ... and at most this many (oldest go)

  std::string high_subject() const { return subject_prefix + ".tasks.high"; }
  std::string normal_subject() const { return subject_prefix + ".tasks.normal"; }
  std::string dead_subject() const { return subject_prefix + ".tasks.dead"; }
  std::string dead_stream() const { return name + "_DEAD"; }
};

struct consumer_options {
  std::string durable_prefix = "taskmesh"; // durables "<prefix>_high", "<prefix>_normal"
  milliseconds ack_wait{30'000};
  int max_ack_pending = 1'024;
  int max_batch = max_fetch_batch; // per Fetch; <= max_fetch_batch and <= max_ack_pending

  std::string high_durable() const { return durable_prefix + "_high"; }
  std::string normal_durable() const { return durable_prefix + "_normal"; }
};

struct publish_options {
  milliseconds ack_timeout{2'000}; // per message: PubAck or a timeout error by then
  int max_pending = 4'096;         // async publishes in flight per publisher
};

struct nats_config {
  connection_options connection;
  stream_options stream;
  consumer_options consumer;
  publish_options publish;
};

// "" when every field is within bounds, else "<field>: <problem>" for the
// first offender (the app maps the field to its flag and exits 2).
std::string validate(const nats_config& cfg);

// "a, b,,c" -> {"a", "b", "c"}: trimmed, empties dropped.
std::vector<std::string> split_servers(std::string_view list);

} // namespace taskmesh::nats
