// File: apps/taskmesh/config.cpp
// The configuration table: flag, environment variable, default, bounds, help.
#include "apps/taskmesh/config.hpp"

#include <iostream>
#include <map>
#include <thread>

#include <CLI/CLI.hpp>

#include "actors/ops/registry.hpp"

namespace taskmesh::app {
namespace {

// "250ms", "30s", "5m", "24h" -> milliseconds.
const CLI::AsNumberWithUnit duration_units{
  std::map<std::string, std::int64_t>{{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}},
  static_cast<CLI::AsNumberWithUnit::Options>(CLI::AsNumberWithUnit::UNIT_REQUIRED |
                                              CLI::AsNumberWithUnit::CASE_SENSITIVE),
  "DURATION"};

// "host:port" (an IP address or a name to resolve), "[v6]:port", or ":port"
// for every IPv4 interface (0.0.0.0, as in the default and in Go's and
// NATS's ":4222"), the form container manifests and the README use.
bool split_listen(const std::string& text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size())
    return false;
  host = colon == 0 ? "0.0.0.0" : text.substr(0, colon);
  if (host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    std::size_t used = 0;
    const auto p = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || p > 65535)
      return false;
    port = static_cast<std::uint16_t>(p);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

void add_duration(CLI::App& app, const char* flag, const char* env, std::chrono::milliseconds& out,
                  std::int64_t min_ms, std::int64_t max_ms, const char* help) {
  auto* opt = app.add_option_function<std::int64_t>(
    flag, [&out](std::int64_t ms) { out = std::chrono::milliseconds{ms}; }, help);
  opt->envname(env)->transform(duration_units)->check(CLI::Range(min_ms, max_ms));
  opt->default_str(std::to_string(out.count()) + "ms");
}

const std::map<std::string, process_role> roles = {
  {"all", process_role::all}, {"api", process_role::api}, {"worker", process_role::worker}};

void add_cluster_options(CLI::App& app, cluster_config& k) {
  const char* group = "Cluster mode (--nats and --valkey together)";
  auto opt = [&](const char* flag, auto& value, const char* env, const char* help) {
    return app.add_option(flag, value, help)->envname(env)->group(group);
  };
  app.add_option_function<std::string>(
       "--role", [&k](const std::string& name) { k.role = roles.at(name); },
       "all: API and workers; api: HTTP intake only; worker: workers only")
    ->envname("TASKMESH_ROLE")->group(group)->check(CLI::IsMember({"all", "api", "worker"}))
    ->default_str("all");
  opt("--nats", k.nats, "TASKMESH_NATS", "NATS server URLs, comma separated (enables cluster mode)");
  opt("--valkey", k.valkey, "TASKMESH_VALKEY", "Valkey URL redis://[user:password@]host:port[/db]");
  opt("--valkey-password", k.valkey_password, "TASKMESH_VALKEY_PASSWORD",
      "Valkey password (overrides the URL's)");
  opt("--nats-creds", k.nats_creds, "TASKMESH_NATS_CREDS", "NATS credentials file (JWT + NKey)")
    ->check(CLI::ExistingFile);
  opt("--nats-token", k.nats_token, "TASKMESH_NATS_TOKEN", "NATS token");
  opt("--nats-user", k.nats_user, "TASKMESH_NATS_USER", "NATS user");
  opt("--nats-password", k.nats_password, "TASKMESH_NATS_PASSWORD", "NATS password");
  opt("--nats-tls-ca", k.nats_tls_ca, "TASKMESH_NATS_TLS_CA", "CA file; enables TLS to NATS")
    ->check(CLI::ExistingFile);
  opt("--nats-tls-cert", k.nats_tls_cert, "TASKMESH_NATS_TLS_CERT", "client certificate file")
    ->check(CLI::ExistingFile);
  opt("--nats-tls-key", k.nats_tls_key, "TASKMESH_NATS_TLS_KEY", "client key file")
    ->check(CLI::ExistingFile);
  opt("--stream-name", k.stream_name, "TASKMESH_STREAM_NAME", "JetStream stream for tasks");
  opt("--subject-prefix", k.subject_prefix, "TASKMESH_SUBJECT_PREFIX",
      "subjects <prefix>.tasks.{high,normal,dead}; also the Valkey key prefix");
  opt("--stream-replicas", k.stream_replicas, "TASKMESH_STREAM_REPLICAS", "stream replicas")
    ->check(CLI::Range(1, 5));
  opt("--fetch-batch", k.fetch_batch, "TASKMESH_FETCH_BATCH", "tasks per JetStream fetch")
    ->check(CLI::Range(1u, 256u));
  auto* ack_wait = app.add_option_function<std::int64_t>(
    "--ack-wait", [&k](std::int64_t ms) { k.ack_wait = std::chrono::milliseconds{ms}; },
    "JetStream AckWait: redelivery after a worker went silent this long");
  ack_wait->envname("TASKMESH_ACK_WAIT")->transform(duration_units)
    ->check(CLI::Range(std::int64_t{500}, std::int64_t{3'600'000}))->group(group)
    ->default_str("30000ms");
  opt("--max-ack-pending", k.max_ack_pending, "TASKMESH_MAX_ACK_PENDING",
      "unacknowledged tasks per consumer at most")->check(CLI::Range(1, 1'000'000));
  opt("--worker-id", k.worker_id, "TASKMESH_WORKER_ID", "name in worker heartbeats (default host:pid)");
}

void add_access_options(CLI::App& app, http::access_config& a) {
  const char* group = "Access: tokens, tenants, rate limits (all off by default)";
  app.add_option("--auth-tokens-file", a.auth_tokens_file,
                 "File of name:token lines; every route but /health* then needs "
                 "Authorization: Bearer <token>, and the name is the tenant (re-read on SIGHUP)")
    ->envname("TASKMESH_AUTH_TOKENS_FILE")->check(CLI::ExistingFile)->group(group);
  app.add_flag("--metrics-public", a.metrics_public, "GET /metrics needs no token")
    ->envname("TASKMESH_METRICS_PUBLIC")->group(group);
  app.add_option("--rate-limit", a.rate_limit,
                 "Requests per second per tenant (per client IP without tokens); a batch "
                 "counts its tasks; 0 = off")
    ->envname("TASKMESH_RATE_LIMIT")->check(CLI::Range(0.0, 1e9))->group(group);
  app.add_option("--rate-burst", a.rate_burst,
                 "Requests a tenant may send at once before --rate-limit applies "
                 "(default: the rate, at least 1)")
    ->envname("TASKMESH_RATE_BURST")->check(CLI::Range(1.0, 1e9))->group(group)
    ->default_str("rate");
  app.add_option("--max-connections-per-ip", a.max_connections_per_ip,
                 "Open HTTP connections per client address; more are closed at once; 0 = off")
    ->envname("TASKMESH_MAX_CONNECTIONS_PER_IP")->check(CLI::Range(0u, 1'000'000u))->group(group);
}

void check_access_options(const http::access_config& a) {
  if (a.rate_burst > 0 && a.rate_limit <= 0)
    throw CLI::ValidationError("--rate-burst", "needs --rate-limit");
}

void check_cluster_options(const cluster_config& k) {
  if (k.nats.empty() != k.valkey.empty())
    throw CLI::ValidationError(k.nats.empty() ? "--nats" : "--valkey",
                               "cluster mode needs both --nats and --valkey");
  if (!k.enabled() && k.role != process_role::all)
    throw CLI::ValidationError("--role", std::string("'") + to_string(k.role) +
                                           "' needs cluster mode (--nats and --valkey)");
  if (k.nats_tls_cert.empty() != k.nats_tls_key.empty())
    throw CLI::ValidationError("--nats-tls-cert", "--nats-tls-cert and --nats-tls-key go together");
}

} // namespace

const char* to_string(process_role r) noexcept {
  switch (r) {
    case process_role::api: return "api";
    case process_role::worker: return "worker";
    case process_role::all: break;
  }
  return "all";
}

std::optional<int> parse_config(int argc, char** argv, config& c) {
  const auto cores = std::max(1u, std::thread::hardware_concurrency());
  CLI::App app{"taskmesh: a fast task-processing service (embedded mode: one process, no "
               "external services)",
               "taskmesh"};
  app.set_version_flag("--version", std::string{"taskmesh "} + TASKMESH_VERSION);
  app.option_defaults()->always_capture_default();

  std::string listen = c.listen_host + ":" + std::to_string(c.listen_port);
  app.add_option("--listen", listen, "Address to serve HTTP on (HOST:PORT, or :PORT for all interfaces)")
    ->envname("TASKMESH_LISTEN");
  app.add_option("--workers", c.workers, "Worker actors (default: number of cores)")
    ->envname("TASKMESH_WORKERS")->check(CLI::Range(1u, 4096u))->default_str(std::to_string(cores));
  app.add_option("--io-threads", c.io_threads, "HTTP I/O threads (default: number of cores)")
    ->envname("TASKMESH_IO_THREADS")->check(CLI::Range(1u, 256u))->default_str(std::to_string(cores));
  app.add_option("--queue-capacity", c.queue_capacity,
                 "Tasks accepted but not started before POST answers 503 queue_full")
    ->envname("TASKMESH_QUEUE_CAPACITY")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}));
  app.add_option("--max-in-flight", c.max_in_flight,
                 "Tasks held by workers at once, including those waiting out delay_ms")
    ->envname("TASKMESH_MAX_IN_FLIGHT")->check(CLI::Range(1u, 10'000'000u));
  app.add_option("--max-body", c.max_body, "Largest request body (bytes; accepts KiB/MiB)")
    ->envname("TASKMESH_MAX_BODY")->transform(CLI::AsSizeValue(false))
    ->check(CLI::Range(std::uint64_t{64}, std::uint64_t{64} << 20));
  app.add_option("--max-records", c.max_records,
                 "Result records kept in memory; the oldest finished go first")
    ->envname("TASKMESH_MAX_RECORDS")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}));
  add_duration(app, "--result-ttl", "TASKMESH_RESULT_TTL", c.result_ttl, 1,
                             365LL * 24 * 3'600'000, "How long finished records are kept (e.g. 24h)");
  add_duration(app, "--retry-base-delay", "TASKMESH_RETRY_BASE_DELAY",
                             c.retry_base_delay, 1, 30'000,
                             "First retry backoff; doubles per attempt, capped at 30s");
  add_duration(app, "--drain-timeout", "TASKMESH_DRAIN_TIMEOUT", c.drain_timeout, 0,
                             3'600'000, "On SIGTERM, how long to let queued and running tasks finish");
  add_duration(app, "--read-timeout", "TASKMESH_READ_TIMEOUT", c.read_timeout, 100,
                             3'600'000, "Deadline for a client to send a whole request");
  add_duration(app, "--header-timeout", "TASKMESH_HEADER_TIMEOUT", c.header_timeout, 100,
               3'600'000, "Deadline for a client to send a request's line and headers");
  app.add_option("--max-result-bytes", c.max_result_bytes,
                 "Largest result an op may produce; a larger one fails the task with "
                 "result_too_large (bytes; accepts KiB/MiB)")
    ->envname("TASKMESH_MAX_RESULT_BYTES")->transform(CLI::AsSizeValue(false))
    ->check(CLI::Range(std::uint64_t{64}, std::uint64_t{512} << 20));
  add_duration(app, "--op-timeout", "TASKMESH_OP_TIMEOUT", c.op_timeout, 1, 3'600'000,
               "Time one run of an op may take before the task fails with timeout");
  app.add_option("--max-connections", c.max_connections, "Open HTTP connections at most")
    ->envname("TASKMESH_MAX_CONNECTIONS")->check(CLI::Range(1u, 1'000'000u));
  app.add_option("--max-streams", c.max_streams,
                 "Open event streams (GET /task/{id}/events, GET /events) at most")
    ->envname("TASKMESH_MAX_STREAMS")->check(CLI::Range(1u, 1'000'000u));
  app.add_option("--max-streams-per-tenant", c.max_streams_per_tenant,
                 "Open event streams per tenant at most (0: no cap of its own)")
    ->envname("TASKMESH_MAX_STREAMS_PER_TENANT")->check(CLI::Range(0u, 1'000'000u));
  add_duration(app, "--stream-heartbeat", "TASKMESH_STREAM_HEARTBEAT", c.stream_heartbeat, 100,
               3'600'000, "Comment line on an idle event stream this often");
  add_duration(app, "--stream-write-timeout", "TASKMESH_STREAM_WRITE_TIMEOUT",
               c.stream_write_timeout, 100, 30'000,
               "An event stream whose client takes no 64 KiB for this long is dropped");
  auto builtin = op_registry::builtin();
  app.add_option("--disable-ops", c.disabled_ops, "Ops to turn off, comma separated (e.g. fail)")
    ->envname("TASKMESH_DISABLE_OPS")->delimiter(',')
    ->check(CLI::Validator(
      [builtin](std::string& name) {
        return builtin.find(name) ? std::string{} : "unknown op '" + name + "'";
      },
      "OP"));
  app.add_option("--log-level", c.log_level, "trace|debug|info|warn|error|critical|off")
    ->envname("TASKMESH_LOG_LEVEL")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--log-format", c.log_format,
                 "json|text (default: json unless stdout is a terminal)")
    ->envname("TASKMESH_LOG_FORMAT")->check(CLI::IsMember({"json", "text"}));

  add_access_options(app, c.access);
  add_cluster_options(app, c.cluster);

  try {
    app.parse(argc, argv);
    check_cluster_options(c.cluster);
    check_access_options(c.access);
    // Records in Valkey are bounded by --result-ttl (and Valkey's maxmemory),
    // not by a count: refuse a bound that would silently do nothing.
    if (c.cluster.enabled() && app.count("--max-records") > 0)
      throw CLI::ValidationError("--max-records",
                                 "bounds the in-memory store of embedded mode; in cluster mode "
                                 "records live in Valkey until --result-ttl after they finish "
                                 "(bound Valkey's memory with maxmemory)");
    if (!split_listen(listen, c.listen_host, c.listen_port))
      throw CLI::ValidationError("--listen", "'" + listen + "' is not HOST:PORT or :PORT");
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "taskmesh: " << e.what() << "\nRun with --help for the list of options.\n";
    return 2;
  }
  if (c.workers == 0)
    c.workers = cores;
  if (c.io_threads == 0)
    c.io_threads = cores;
  return std::nullopt;
}

} // namespace taskmesh::app
