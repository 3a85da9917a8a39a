// File: apps/taskmesh/wiring.cpp
#include "apps/taskmesh/wiring.hpp"

#include <unistd.h>

#include <stdexcept>

#include <spdlog/spdlog.h>

#include "actors/memory_store.hpp"
#include "transport/cluster/cluster_admission.hpp"
#include "transport/cluster/cluster_view.hpp"
#include "transport/cluster/jetstream_feeder.hpp"
#include "transport/cluster/valkey_store.hpp"
#include "transport/nats/connection.hpp"
#include "transport/nats/stream_setup.hpp"
#include "transport/valkey/valkey_config.hpp"

namespace taskmesh::app {
namespace {

valkey::valkey_config valkey_config_from(const cluster_config& k) {
  auto parsed = valkey::parse_url(k.valkey);
  if (!parsed)
    throw std::runtime_error("--valkey: " + parsed.err().message);
  auto v = *parsed;
  if (!k.valkey_password.empty())
    v.password = k.valkey_password;
  return v;
}

std::string default_worker_id() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string{host} + ":" + std::to_string(getpid());
}

actor_graph build_embedded(caf::actor_system& sys, const config& c, graph_context ctx,
                           graph_config config) {
  auto store = c.store;
  store.events = ctx.events;
  // The memory store admits rounds too, in one step (actors/memory_store.hpp).
  auto records = sys.spawn(memory_store, store, ctx.gauges);
  graph_seams seams;
  seams.store = records;
  seams.admission = records;
  return spawn_graph(sys, config, ctx, std::move(seams));
}

actor_graph build_cluster(caf::actor_system& sys, const config& c, graph_context ctx,
                          cluster_resources& res, graph_config config) {
  const auto& k = c.cluster;
  const auto& n = c.nats;
  res.health.uses_nats = true;
  res.health.uses_valkey = true;
  if (ctx.registry)
    res.metrics = std::make_unique<cluster::cluster_metrics>(*ctx.registry);
  auto* metrics = res.metrics.get();
  auto conn = nats::connection::open(n.connection, [&health = res.health,
                                                    metrics](nats::connection_event e) {
    health.nats = e == nats::connection_event::connected || e == nats::connection_event::reconnected;
    if (e == nats::connection_event::reconnected && metrics)
      metrics->nats_reconnects->Increment();
  });
  if (!conn)
    throw std::runtime_error("--nats: " + nats::to_string(conn.err()));
  res.nats = std::move(*conn);
  res.health.nats = res.nats->connected();
  // Provisioning is idempotent; if NATS is not up yet the feeder and sink
  // retry, and readiness stays 503 until it is.
  if (auto e = nats::ensure_streams(*res.nats, n.stream))
    spdlog::warn("JetStream stream setup: {} (will retry)", nats::to_string(e));
  else if (auto e2 = nats::ensure_consumers(*res.nats, n.stream, n.consumer))
    spdlog::warn("JetStream consumer setup: {} (will retry)", nats::to_string(e2));

  cluster::valkey_store_config store;
  store.connection = valkey_config_from(k);
  store.records.prefix = n.stream.subject_prefix;
  store.records.result_ttl = c.store.result_ttl;
  store.records.wait_replicas = k.valkey_wait_replicas;
  store.metrics = metrics;
  if (k.runs_workers())
    store.worker_id = k.worker_id.empty() ? default_worker_id() : k.worker_id;
  // Every record change this pod's store makes goes out as a live event.
  res.events_out =
    std::make_unique<cluster::event_publisher>(res.nats->raw(), n.stream.subject_prefix, ctx.ops);
  store.on_changed = [out = res.events_out.get()](std::span<const task_record* const> records) {
    out->publish(records);
  };
  if (k.runs_api())
    store.watched_by = ctx.events; // its streams ask worker pods for events

  graph_seams seams;
  seams.store = cluster::spawn_valkey_store(sys, store, ctx.ops, ctx.gauges, &res.health);
  seams.intake = k.runs_api();
  seams.workers = k.runs_workers();
  if (seams.intake)
    seams.admission = cluster::spawn_cluster_admission(
      sys, {store.connection, store.records, n.stream, metrics}, res.nats.get(), ctx.ops,
      &res.health);
  if (seams.workers) {
    cluster::feeder_config feeder;
    // The dispatcher hands the pod's workers batches of at most one fetch.
    config.dispatch.batch_size = k.fetch_batch;
    res.cancelled = std::make_unique<cluster::cancelled_tasks>();
    res.cancels_in = cluster::event_subscriber::start(res.nats->raw(), n.stream.subject_prefix,
                                                      res.cancelled.get());
    feeder.cancelled = res.cancelled.get();
    feeder.metrics = metrics;
    seams.work_source = cluster::spawn_jetstream_feeder(sys, res.nats.get(), n.stream, n.consumer,
                                                        feeder, ctx.ops, ctx.gauges);
  }

  // Backlog = pending + ack-pending of each lane's task consumer.
  auto* nats_conn = res.nats.get();
  config.cluster.view = cluster::make_cluster_view_source(
    store.connection, store.records, [nats_conn, n]() -> std::optional<cluster::lane_backlog> {
      auto lane = [&](const std::string& durable) -> std::optional<std::int64_t> {
        auto info = nats::consumer_info(*nats_conn, n.stream.name, durable);
        if (!info)
          return std::nullopt;
        return static_cast<std::int64_t>(info->pending) + info->ack_pending;
      };
      const auto high = lane(n.consumer.high_durable());
      const auto normal = high ? lane(n.consumer.normal_durable()) : std::nullopt;
      if (!normal)
        return std::nullopt;
      return cluster::lane_backlog{*high, *normal};
    });
  // Worker pods share their utilization windows and latency samples, which
  // the view above reads back cluster-wide.
  if (seams.workers)
    config.cluster.share =
      cluster::make_stats_share(store.connection, n.stream.subject_prefix, store.worker_id);
  auto graph = spawn_graph(sys, config, ctx, std::move(seams));
  if (k.runs_api() && ctx.events)
    res.events_in = cluster::event_subscriber::start(res.nats->raw(), n.stream.subject_prefix,
                                                     ctx.ops, ctx.events, graph.bridge);
  return graph;
}

} // namespace

cluster_resources::~cluster_resources() = default;

process_plan plan_process(caf::actor_system& sys, const config& c, graph_context ctx,
                          cluster_resources& resources) {
  const bool cluster = c.cluster.enabled();
  auto g = c.graph;
  g.stats.mode = cluster ? "cluster" : "embedded";
  // taskmesh_workers and utilization count this process's workers: none on an api pod.
  g.stats.workers = c.cluster.runs_workers() ? c.graph.workers : 0;
  process_plan plan{
    cluster ? build_cluster(sys, c, ctx, resources, g) : build_embedded(sys, c, ctx, g),
    g.stats.mode,
    c.cluster.role,
    // A worker pod takes no submissions; it serves health, metrics and stats.
    c.cluster.runs_api() ? http::router::api() : http::router::worker(),
    {},
    g.stats.workers,
  };
  if (cluster)
    plan.health_dependencies = {{"nats", &resources.health.nats},
                                {"valkey", &resources.health.valkey}};
  return plan;
}

} // namespace taskmesh::app
