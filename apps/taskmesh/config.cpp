// File: apps/taskmesh/config.cpp
// The configuration table: one row per setting (flag, environment variable,
// default, bounds, help), in --help order; CLI11 parses them into the
// slices of `config` (config.hpp), and finish() fills in what one flag
// decides for several slices.
#include "apps/taskmesh/config.hpp"

#include <sched.h>

#include <algorithm>
#include <functional>
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

const std::map<std::string, process_role> roles = {
  {"all", process_role::all}, {"api", process_role::api}, {"worker", process_role::worker}};

// -- how a row's value is read, bounded and stored ------------------------------------

// Adds the row's option to the app, bound to its place in `c`; the default
// --help shows is what `c` holds there before parsing (or the row's text).
using binder = std::function<CLI::Option*(CLI::App&, const std::string& flag,
                                          const std::string& help, config& c)>;

// Where in the config a row's value goes.
template <class T>
using field = T& (*)(config&);

// A value within [min, max] (numbers: Range; text: any).
template <class T>
binder number(field<T> at, T min, T max) {
  return [=](CLI::App& app, const std::string& flag, const std::string& help, config& c) {
    return app.add_option(flag, at(c), help)->check(CLI::Range(min, max));
  };
}

binder text(field<std::string> at) {
  return [=](CLI::App& app, const std::string& flag, const std::string& help, config& c) {
    return app.add_option(flag, at(c), help);
  };
}

binder one_of(field<std::string> at, std::vector<std::string> names) {
  return [=](CLI::App& app, const std::string& flag, const std::string& help, config& c) {
    return app.add_option(flag, at(c), help)->check(CLI::IsMember(names));
  };
}

binder existing_file(field<std::string> at) {
  return [=](CLI::App& app, const std::string& flag, const std::string& help, config& c) {
    return app.add_option(flag, at(c), help)->check(CLI::ExistingFile);
  };
}

// Bytes, also as "64KiB", "1MiB".
template <class T>
binder size(field<T> at, T min, T max) {
  return [=](CLI::App& app, const std::string& flag, const std::string& help, config& c) {
    return app.add_option(flag, at(c), help)
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(min, max));
  };
}

// "250ms", "30s", "5m", "24h", within [min_ms, max_ms].
binder duration(field<std::chrono::milliseconds> at, std::int64_t min_ms, std::int64_t max_ms) {
  return [=](CLI::App& app, const std::string& flag, const std::string& help, config& c) {
    auto& out = at(c);
    auto* opt = app.add_option_function<std::int64_t>(
      flag, [&out](std::int64_t ms) { out = std::chrono::milliseconds{ms}; }, help);
    opt->transform(duration_units)->check(CLI::Range(min_ms, max_ms));
    opt->default_str(std::to_string(out.count()) + "ms");
    return opt;
  };
}

binder switch_on(field<bool> at) {
  return [=](CLI::App& app, const std::string& flag, const std::string& help, config& c) {
    return app.add_flag(flag, at(c), help);
  };
}

binder role(field<process_role> at) {
  return [=](CLI::App& app, const std::string& flag, const std::string& help, config& c) {
    auto& out = at(c);
    return app
      .add_option_function<std::string>(
        flag, [&out](const std::string& name) { out = roles.at(name); }, help)
      ->check(CLI::IsMember({"all", "api", "worker"}));
  };
}

// Builtin op names, comma separated.
binder op_list(field<std::vector<std::string>> at) {
  return [=](CLI::App& app, const std::string& flag, const std::string& help, config& c) {
    auto builtin = op_registry::builtin();
    return app.add_option(flag, at(c), help)
      ->delimiter(',')
      ->check(CLI::Validator(
        [builtin](std::string& name) {
          return builtin.find(name) ? std::string{} : "unknown op '" + name + "'";
        },
        "OP"));
  };
}

// -- the table ---------------------------------------------------------------------------

const char* const access_group = "Access: tokens, tenants, rate limits (all off by default)";
const char* const cluster_group = "Cluster mode (--nats and --valkey together)";

struct row {
  std::string flag;
  std::string env;
  std::string help;
  binder bind;
  const char* group = nullptr; // null: the main list
  std::string default_text{};  // "": the value before parsing
};

// Half the cores for HTTP: the I/O threads share the cores with CAF's
// scheduler threads (up to one per core), and on 2 cores one I/O thread served as
// many requests as two at saturation, with half the p99 and a sixth less CPU
// per request at 30,000/s (docs/benchmarks.md, "One I/O thread on two cores").
unsigned default_io_threads(unsigned cores) {
  return std::max(1u, cores / 2);
}

std::vector<row> table(unsigned cores) {
  using ms = std::int64_t;
  const ms hour = 3'600'000;
  const auto cores_text = std::to_string(cores);
  return {
    {"--listen", "TASKMESH_LISTEN", "Address to serve HTTP on (HOST:PORT, or :PORT for all interfaces)",
     text([](config& c) -> auto& { return c.listen; })},
    {"--workers", "TASKMESH_WORKERS", "Worker actors (default: the CPUs this process may run on)",
     number<std::uint32_t>([](config& c) -> auto& { return c.graph.workers; }, 1u, 4096u), nullptr,
     cores_text},
    {"--io-threads", "TASKMESH_IO_THREADS", "HTTP I/O threads (default: half the CPUs this process may run on, at least 1)",
     number<std::uint32_t>([](config& c) -> auto& { return c.io_threads; }, 1u, 256u), nullptr,
     std::to_string(default_io_threads(cores))},
    {"--queue-capacity", "TASKMESH_QUEUE_CAPACITY",
     "Tasks accepted but not started before POST answers 503 queue_full",
     number<std::uint64_t>([](config& c) -> auto& { return c.queue_capacity; }, 1, 100'000'000)},
    {"--max-in-flight", "TASKMESH_MAX_IN_FLIGHT",
     "Tasks held by workers at once, including those waiting out delay_ms",
     number<std::uint32_t>([](config& c) -> auto& { return c.graph.dispatch.max_in_flight; }, 1u,
                           10'000'000u)},
    {"--max-body", "TASKMESH_MAX_BODY", "Largest request body (bytes; accepts KiB/MiB)",
     size<std::size_t>([](config& c) -> auto& { return c.http.limits.max_body; }, 64,
                       std::size_t{64} << 20)},
    {"--max-records", "TASKMESH_MAX_RECORDS",
     "Result records kept in memory; the oldest finished go first",
     number<std::uint64_t>([](config& c) -> auto& { return c.store.max_records; }, 1,
                           1'000'000'000)},
    {"--result-ttl", "TASKMESH_RESULT_TTL", "How long finished records are kept (e.g. 24h)",
     duration([](config& c) -> auto& { return c.store.result_ttl; }, 1, 365 * 24 * hour)},
    {"--retry-base-delay", "TASKMESH_RETRY_BASE_DELAY",
     "First retry backoff; doubles per attempt, capped at 30s",
     duration([](config& c) -> auto& { return c.graph.retry.base_delay; }, 1, 30'000)},
    {"--drain-timeout", "TASKMESH_DRAIN_TIMEOUT",
     "On SIGTERM, how long to let queued and running tasks finish",
     duration([](config& c) -> auto& { return c.drain_timeout; }, 0, hour)},
    {"--read-timeout", "TASKMESH_READ_TIMEOUT", "Deadline for a client to send a whole request",
     duration([](config& c) -> auto& { return c.http.limits.read_timeout; }, 100, hour)},
    {"--header-timeout", "TASKMESH_HEADER_TIMEOUT",
     "Deadline for a client to send a request's line and headers",
     duration([](config& c) -> auto& { return c.http.limits.header_timeout; }, 100, hour)},
    {"--max-result-bytes", "TASKMESH_MAX_RESULT_BYTES",
     "Largest result an op may produce; a larger one fails the task with result_too_large "
     "(bytes; accepts KiB/MiB)",
     size<std::size_t>([](config& c) -> auto& { return c.graph.op_limits.max_result_bytes; }, 64,
                       std::size_t{512} << 20)},
    {"--op-timeout", "TASKMESH_OP_TIMEOUT",
     "Time one run of an op may take before the task fails with timeout",
     duration([](config& c) -> auto& { return c.graph.op_limits.timeout; }, 1, hour)},
    {"--max-connections", "TASKMESH_MAX_CONNECTIONS", "Open HTTP connections at most",
     number<std::size_t>([](config& c) -> auto& { return c.http.limits.max_connections; }, 1u,
                         1'000'000u)},
    {"--max-streams", "TASKMESH_MAX_STREAMS",
     "Open event streams (GET /task/{id}/events, GET /events) at most",
     number<std::size_t>([](config& c) -> auto& { return c.events.max_streams; }, 1u, 1'000'000u)},
    {"--max-streams-per-tenant", "TASKMESH_MAX_STREAMS_PER_TENANT",
     "Open event streams per tenant at most (0: no cap of its own)",
     number<std::size_t>([](config& c) -> auto& { return c.events.max_per_tenant; }, 0u,
                         1'000'000u)},
    {"--stream-heartbeat", "TASKMESH_STREAM_HEARTBEAT",
     "Comment line on an idle event stream this often",
     duration([](config& c) -> auto& { return c.http.stream_heartbeat; }, 100, hour)},
    {"--stream-write-timeout", "TASKMESH_STREAM_WRITE_TIMEOUT",
     "An event stream whose client takes no 64 KiB for this long is dropped",
     duration([](config& c) -> auto& { return c.http.stream_write_timeout; }, 100, 30'000)},
    {"--disable-ops", "TASKMESH_DISABLE_OPS", "Ops to turn off, comma separated (e.g. fail)",
     op_list([](config& c) -> auto& { return c.disabled_ops; })},
    {"--log-level", "TASKMESH_LOG_LEVEL", "trace|debug|info|warn|error|critical|off",
     one_of([](config& c) -> auto& { return c.log_level; },
            {"trace", "debug", "info", "warn", "error", "critical", "off"})},
    {"--log-format", "TASKMESH_LOG_FORMAT", "json|text (default: json unless stdout is a terminal)",
     one_of([](config& c) -> auto& { return c.log_format; }, {"json", "text"})},

    {"--auth-tokens-file", "TASKMESH_AUTH_TOKENS_FILE",
     "File of name:token lines; every route but /health* then needs Authorization: Bearer "
     "<token>, and the name is the tenant (re-read on SIGHUP)",
     existing_file([](config& c) -> auto& { return c.access.auth_tokens_file; }), access_group},
    {"--metrics-public", "TASKMESH_METRICS_PUBLIC", "GET /metrics needs no token",
     switch_on([](config& c) -> auto& { return c.access.metrics_public; }), access_group},
    {"--rate-limit", "TASKMESH_RATE_LIMIT",
     "Requests per second per tenant (per client IP without tokens); a batch counts its tasks; "
     "0 = off",
     number<double>([](config& c) -> auto& { return c.access.rate_limit; }, 0.0, 1e9),
     access_group},
    {"--rate-burst", "TASKMESH_RATE_BURST",
     "Requests a tenant may send at once before --rate-limit applies (default: the rate, at "
     "least 1)",
     number<double>([](config& c) -> auto& { return c.access.rate_burst; }, 1.0, 1e9),
     access_group, "rate"},
    {"--max-connections-per-ip", "TASKMESH_MAX_CONNECTIONS_PER_IP",
     "Open HTTP connections per client address; more are closed at once; 0 = off",
     number<std::uint32_t>([](config& c) -> auto& { return c.http.limits.max_connections_per_ip; },
                           0u, 1'000'000u),
     access_group},

    {"--role", "TASKMESH_ROLE", "all: API and workers; api: HTTP intake only; worker: workers only",
     role([](config& c) -> auto& { return c.cluster.role; }), cluster_group, "all"},
    {"--nats", "TASKMESH_NATS", "NATS server URLs, comma separated (enables cluster mode)",
     text([](config& c) -> auto& { return c.nats.connection.servers; }), cluster_group},
    {"--valkey", "TASKMESH_VALKEY", "Valkey URL redis://[user:password@]host:port[/db]",
     text([](config& c) -> auto& { return c.cluster.valkey; }), cluster_group},
    {"--valkey-password", "TASKMESH_VALKEY_PASSWORD", "Valkey password (overrides the URL's)",
     text([](config& c) -> auto& { return c.cluster.valkey_password; }), cluster_group},
    {"--valkey-wait-replicas", "TASKMESH_VALKEY_WAIT_REPLICAS",
     "worker pods ack a task only once this many Valkey replicas hold its result (WAIT); "
     "0 = the primary's answer",
     number<std::uint32_t>([](config& c) -> auto& { return c.cluster.valkey_wait_replicas; }, 0u,
                           16u),
     cluster_group},
    {"--nats-creds", "TASKMESH_NATS_CREDS", "NATS credentials file (JWT + NKey)",
     existing_file([](config& c) -> auto& { return c.nats.connection.creds_file; }), cluster_group},
    {"--nats-token", "TASKMESH_NATS_TOKEN", "NATS token",
     text([](config& c) -> auto& { return c.nats.connection.token; }), cluster_group},
    {"--nats-user", "TASKMESH_NATS_USER", "NATS user",
     text([](config& c) -> auto& { return c.nats.connection.user; }), cluster_group},
    {"--nats-password", "TASKMESH_NATS_PASSWORD", "NATS password",
     text([](config& c) -> auto& { return c.nats.connection.password; }), cluster_group},
    {"--nats-tls-ca", "TASKMESH_NATS_TLS_CA", "CA file; enables TLS to NATS",
     existing_file([](config& c) -> auto& { return c.nats.connection.tls.ca_file; }),
     cluster_group},
    {"--nats-tls-cert", "TASKMESH_NATS_TLS_CERT", "client certificate file",
     existing_file([](config& c) -> auto& { return c.nats.connection.tls.cert_file; }),
     cluster_group},
    {"--nats-tls-key", "TASKMESH_NATS_TLS_KEY", "client key file",
     existing_file([](config& c) -> auto& { return c.nats.connection.tls.key_file; }),
     cluster_group},
    {"--stream-name", "TASKMESH_STREAM_NAME", "JetStream stream for tasks",
     text([](config& c) -> auto& { return c.nats.stream.name; }), cluster_group},
    {"--subject-prefix", "TASKMESH_SUBJECT_PREFIX",
     "subjects <prefix>.tasks.{high,normal,dead}; also the Valkey key prefix",
     text([](config& c) -> auto& { return c.nats.stream.subject_prefix; }), cluster_group},
    {"--stream-replicas", "TASKMESH_STREAM_REPLICAS", "stream replicas",
     number<int>([](config& c) -> auto& { return c.nats.stream.replicas; }, 1, 5), cluster_group},
    {"--fetch-batch", "TASKMESH_FETCH_BATCH", "tasks per JetStream fetch",
     number<std::uint32_t>([](config& c) -> auto& { return c.cluster.fetch_batch; }, 1u, 256u),
     cluster_group},
    {"--ack-wait", "TASKMESH_ACK_WAIT",
     "JetStream AckWait: redelivery after a worker went silent this long",
     duration([](config& c) -> auto& { return c.nats.consumer.ack_wait; }, 500, hour),
     cluster_group},
    {"--max-ack-pending", "TASKMESH_MAX_ACK_PENDING", "unacknowledged tasks per consumer at most",
     number<int>([](config& c) -> auto& { return c.nats.consumer.max_ack_pending; }, 1, 1'000'000),
     cluster_group},
    {"--worker-id", "TASKMESH_WORKER_ID", "name in worker heartbeats (default host:pid)",
     text([](config& c) -> auto& { return c.cluster.worker_id; }), cluster_group},
  };
}

// -- checks across rows, and what one flag decides for several slices ------------------

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

void check(const CLI::App& app, config& c) {
  const auto& k = c.cluster;
  const auto& nats = c.nats.connection;
  if (nats.servers.empty() != k.valkey.empty())
    throw CLI::ValidationError(nats.servers.empty() ? "--nats" : "--valkey",
                               "cluster mode needs both --nats and --valkey");
  if (!k.enabled() && k.role != process_role::all)
    throw CLI::ValidationError("--role", std::string("'") + to_string(k.role) +
                                           "' needs cluster mode (--nats and --valkey)");
  if (nats.tls.cert_file.empty() != nats.tls.key_file.empty())
    throw CLI::ValidationError("--nats-tls-cert", "--nats-tls-cert and --nats-tls-key go together");
  if (c.access.rate_burst > 0 && c.access.rate_limit <= 0)
    throw CLI::ValidationError("--rate-burst", "needs --rate-limit");
  // Records in Valkey are bounded by --result-ttl (and Valkey's maxmemory),
  // not by a count: refuse a bound that would silently do nothing.
  if (k.enabled() && app.count("--max-records") > 0)
    throw CLI::ValidationError("--max-records",
                               "bounds the in-memory store of embedded mode; in cluster mode "
                               "records live in Valkey until --result-ttl after they finish "
                               "(bound Valkey's memory with maxmemory)");
  if (!split_listen(c.listen, c.listen_host, c.listen_port))
    throw CLI::ValidationError("--listen", "'" + c.listen + "' is not HOST:PORT or :PORT");
}

void finish(config& c, unsigned cores) {
  if (c.graph.workers == 0)
    c.graph.workers = cores;
  if (c.io_threads == 0)
    c.io_threads = default_io_threads(cores);
  auto& n = c.nats;
  n.connection.name = std::string("taskmesh-") + to_string(c.cluster.role);
  n.connection.tls.enabled = !n.connection.tls.ca_file.empty();
  // --queue-capacity bounds the task stream at that many messages stored and
  // not yet acked (a message is one task, or one intake round's envelope of
  // a lane's tasks); discard new, so a full stream refuses the publish and
  // the client gets 503 queue_full. Bytes are bounded with it (a message is
  // at most the server's max_payload); no max_bytes, because nats-server
  // reserves a stream's max_bytes against its storage limit at creation.
  n.stream.max_msgs = static_cast<std::int64_t>(c.queue_capacity);
  n.consumer.durable_prefix = n.stream.subject_prefix;
  n.consumer.max_batch = static_cast<int>(c.cluster.fetch_batch);
  // In-progress acks well inside AckWait while a cluster task waits out its delay.
  c.graph.retry.keepalive = std::max(std::chrono::milliseconds{100}, n.consumer.ack_wait / 3);
  // A cluster api pod's rounds: each costs a JetStream message and a Valkey
  // call whatever it carries, so they should be few and full.
  // - sent at once (SendAsap): nats.c's flusher thread added ~1.5 ms to each;
  // - one in flight: the admission actor works one round at a time, so a
  //   second only waited in its mailbox, cut early and small (with SendAsap
  //   and two in flight rounds shrank to a third and the p99 grew);
  // - gathered: while fewer than 16 tasks wait, the next round waits 1 ms.
  // Measured in docs/benchmarks.md ("One round in flight", "Gathering a
  // round"): cluster e2e 1.28x -> 1.58x BullMQ, p99 at half rate 28.8 ->
  // 11.2 ms, p50 about the same.
  if (c.cluster.enabled() && c.cluster.runs_api()) {
    n.connection.send_asap = true;
    c.graph.intake.max_rounds_in_flight = 1;
    c.graph.intake.gather_wait = std::chrono::milliseconds(1);
    c.graph.intake.gather_min = 16;
  }
  // Cluster api pods keep the history of tasks nobody watches here: a client
  // may reconnect with Last-Event-ID to another pod than the one it watched on.
  c.events.keep_unwatched = c.cluster.enabled() && c.cluster.runs_api();
}

} // namespace

unsigned usable_cores() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) == 0 && CPU_COUNT(&mask) > 0)
    return static_cast<unsigned>(CPU_COUNT(&mask));
  return std::max(1u, std::thread::hardware_concurrency());
}

const char* to_string(process_role r) noexcept {
  switch (r) {
    case process_role::api: return "api";
    case process_role::worker: return "worker";
    case process_role::all: break;
  }
  return "all";
}

std::vector<setting> settings() {
  std::vector<setting> out;
  for (const auto& r : table(usable_cores()))
    out.push_back({r.flag, r.env, r.help});
  return out;
}

std::optional<int> parse_config(int argc, char** argv, config& c) {
  const auto cores = usable_cores();
  CLI::App app{"taskmesh: a fast task-processing service (embedded mode: one process, no "
               "external services)",
               "taskmesh"};
  app.set_version_flag("--version", std::string{"taskmesh "} + TASKMESH_VERSION);
  app.option_defaults()->always_capture_default();
  for (const auto& r : table(cores)) {
    auto* opt = r.bind(app, r.flag, r.help, c)->envname(r.env);
    if (r.group)
      opt->group(r.group);
    if (!r.default_text.empty())
      opt->default_str(r.default_text);
  }
  try {
    app.parse(argc, argv);
    check(app, c);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "taskmesh: " << e.what() << "\nRun with --help for the list of options.\n";
    return 2;
  }
  finish(c, cores);
  return std::nullopt;
}

} // namespace taskmesh::app
