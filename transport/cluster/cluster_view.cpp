// File: transport/cluster/cluster_view.cpp
// The cluster-wide numbers for GET /stats (contract: cluster_view.hpp): one
// client + task_records of its own, owned by the returned function, plus the
// JetStream backlog through the caller's reader. Called by the cluster stats
// actor (detached) at most once per cache period.
#include "transport/cluster/cluster_view.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

#include <spdlog/spdlog.h>

#include "actors/stats.hpp"
#include "transport/valkey/client.hpp"
#include "transport/valkey/pod_stats.hpp"

namespace taskmesh::cluster {
namespace {

struct view_reader {
  view_reader(valkey::valkey_config connection, valkey::records_options options,
              backlog_reader backlog)
      : client(std::move(connection)), records(client, options), pods(client, {options.prefix}),
        backlog(std::move(backlog)) {}

  std::mutex mutex; // the client is not thread-safe; copies of the function share it
  valkey::client client;
  valkey::task_records records;
  valkey::pod_stats pods;
  backlog_reader backlog;
  bool failing = false; // log once per outage
};

// Valkey counters are signed; a counter never goes below 0 by the scripts'
// rules, but one edited by hand could.
std::uint64_t count(std::int64_t n) {
  return n > 0 ? static_cast<std::uint64_t>(n) : 0;
}

// Per op (type_counters) or over all ops (counter_snapshot).
template <class Counters>
op_tally tally_of(const Counters& t) {
  return {count(t.submitted), count(t.succeeded), count(t.failed), count(t.dead),
          count(t.retried), count(t.cancelled)};
}

// Four round trips (counters, records, workers and their ids): task_records
// offers each as one script call. Cheap next to the once-a-second cache in
// the caller.
std::optional<cluster_view> read(view_reader& r) {
  std::lock_guard lock(r.mutex);
  auto fail = [&r](std::string_view what, const valkey::error& e) -> std::optional<cluster_view> {
    if (!r.failing)
      spdlog::warn("cluster stats: reading {} from valkey {} failed: {}", what,
                   valkey::redacted_url(r.client.config()), e.message);
    r.failing = true;
    return std::nullopt;
  };
  auto counters = r.records.counters();
  if (!counters)
    return fail("counters", counters.err());
  auto records = r.records.count_records();
  if (!records)
    return fail("records", records.err());
  auto workers = r.records.count_workers();
  if (!workers)
    return fail("workers", workers.err());
  auto worker_ids = r.records.live_workers(listed_worker_pods);
  if (!worker_ids)
    return fail("worker ids", worker_ids.err());
  auto pods = r.pods.read();
  if (!pods)
    return fail("pod stats", pods.err());

  const auto backlog = r.backlog ? r.backlog() : std::optional<lane_backlog>(lane_backlog{});
  if (!backlog)
    return std::nullopt; // the reader (NATS side) reports its own failures
  r.failing = false;

  cluster_view v;
  v.totals = tally_of(*counters);
  v.backlog_high = std::max<std::int64_t>(backlog->high, 0);
  v.backlog = v.backlog_high + std::max<std::int64_t>(backlog->normal, 0);
  // The backlog is JetStream's pending + ack-pending (as the API defines
  // queue_backlog_length), so it already holds the tasks being processed:
  // ack-pending is not available separately. in_flight is therefore only
  // what the counters show as accepted and unfinished BEYOND that backlog
  // (e.g. admitted in Valkey, not yet published): usually 0. Clamped, since
  // a task whose result is written but not yet acked is in both "finished"
  // and the backlog.
  const auto finished =
    counters->succeeded + counters->failed + counters->dead + counters->cancelled;
  v.in_flight = std::max<std::int64_t>(0, counters->submitted - finished - v.backlog);
  v.records = std::max<std::int64_t>(*records, 0);
  v.workers = static_cast<std::uint32_t>(std::clamp<std::int64_t>(*workers, 0, UINT32_MAX));
  v.worker_pods = std::move(*worker_ids);
  v.by_type.reserve(counters->by_type.size());
  for (const auto& [name, t] : counters->by_type) // sorted by name
    v.by_type.emplace_back(name, tally_of(t));
  if (pods->capacity_ns > 0)
    v.worker_utilization = std::min(1.0, static_cast<double>(pods->busy_ns) /
                                           static_cast<double>(pods->capacity_ns));
  if (pods->queue_wait_samples > 0)
    v.queue_wait = summarize(std::move(pods->queue_wait_us), pods->queue_wait_samples);
  if (pods->processing_samples > 0)
    v.processing = summarize(std::move(pods->processing_us), pods->processing_samples);
  return v;
}

struct share_writer {
  share_writer(valkey::valkey_config connection, std::string prefix, std::string worker_id)
      : client(std::move(connection)), pods(client, {std::move(prefix)}),
        worker_id(std::move(worker_id)) {}

  std::mutex mutex;
  valkey::client client;
  valkey::pod_stats pods;
  std::string worker_id;
  bool failing = false; // log once per outage
};

void write(share_writer& w, const stats_share& s) {
  std::lock_guard lock(w.mutex);
  valkey::pod_window window{s.busy_ns, s.capacity_ns, s.queue_wait_us, s.processing_us};
  if (auto r = w.pods.share(w.worker_id, window); !r) {
    if (!w.failing)
      spdlog::warn("cluster stats: sharing this pod's window with valkey {} failed: {}",
                   valkey::redacted_url(w.client.config()), r.err().message);
    w.failing = true;
    return;
  }
  w.failing = false;
}

} // namespace

cluster_view_source make_cluster_view_source(valkey::valkey_config connection,
                                             valkey::records_options records,
                                             backlog_reader backlog) {
  // Constructed now: bad records options throw here, at start-up.
  auto reader =
    std::make_shared<view_reader>(std::move(connection), std::move(records), std::move(backlog));
  return [reader] { return read(*reader); };
}

stats_share_sink make_stats_share(valkey::valkey_config connection, std::string prefix,
                                  std::string worker_id) {
  auto writer = std::make_shared<share_writer>(std::move(connection), std::move(prefix),
                                               std::move(worker_id));
  return [writer](stats_share s) { write(*writer, s); };
}

} // namespace taskmesh::cluster
