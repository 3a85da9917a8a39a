// File: transport/cluster/cluster_view.cpp
// The cluster-wide numbers for GET /stats (contract: cluster_view.hpp): one
// client + task_records of its own, owned by the returned function, plus the
// JetStream backlog through the caller's reader. Called by the stats actor
// (detached) at most once per cluster_cache.
#include "transport/cluster/cluster_view.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

#include <spdlog/spdlog.h>

#include "transport/valkey/client.hpp"

namespace taskmesh::cluster {
namespace {

struct view_reader {
  view_reader(valkey::valkey_config connection, valkey::records_options options,
              backlog_reader backlog)
      : client(std::move(connection)), records(client, std::move(options)),
        backlog(std::move(backlog)) {}

  std::mutex mutex; // the client is not thread-safe; copies of the function share it
  valkey::client client;
  valkey::task_records records;
  backlog_reader backlog;
  bool failing = false; // log once per outage
};

// Valkey counters are signed; a counter never goes below 0 by the scripts'
// rules, but one edited by hand could.
std::uint64_t count(std::int64_t n) {
  return n > 0 ? static_cast<std::uint64_t>(n) : 0;
}

op_tally tally_of(const valkey::type_counters& t) {
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

  const auto backlog = r.backlog ? r.backlog() : std::optional<lane_backlog>(lane_backlog{});
  if (!backlog)
    return std::nullopt; // the reader (NATS side) reports its own failures
  r.failing = false;

  cluster_view v;
  v.submitted = count(counters->submitted);
  v.succeeded = count(counters->succeeded);
  v.failed = count(counters->failed);
  v.dead = count(counters->dead);
  v.retried = count(counters->retried);
  v.cancelled = count(counters->cancelled);
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
  return v;
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

} // namespace taskmesh::cluster
