// File: actors/stats.cpp
#include "actors/stats.hpp"

#include <algorithm>
#include <utility>

namespace taskmesh {
namespace {

using self_ptr = stats_actor::stateful_pointer<stats_state>;
using std::chrono::steady_clock;

constexpr auto tick_interval = std::chrono::seconds(1);
// How long /stats waits for the cluster stats actor, whose reads are bounded
// by the Valkey and NATS clients' own timeouts.
constexpr auto cluster_answer_timeout = std::chrono::seconds(10);

// The task histograms' bucket bounds, in microseconds (see task_metrics.cpp).
void observe_all(prometheus::Histogram& h, const std::vector<std::uint32_t>& samples_us) {
  if (samples_us.empty())
    return;
  const auto& bounds = task_metrics::latency_bounds();
  std::vector<double> increments(bounds.size() + 1, 0.0);
  double sum = 0;
  for (auto us : samples_us) {
    const double seconds = us / 1e6;
    sum += seconds;
    const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
    increments[static_cast<std::size_t>(bucket)] += 1;
  }
  h.ObserveMultiple(increments, sum);
}

void add_report(stats_state& st, const stats_report& r) {
  for (std::size_t i = 0; i < r.by_op.size() && i < st.by_op.size(); ++i) {
    const auto& in = r.by_op[i];
    auto& total = st.by_op[i];
    auto& m = st.metrics->by_op[i];
    total.submitted += in.submitted;
    total.succeeded += in.succeeded;
    total.failed += in.failed;
    total.dead += in.dead;
    total.retried += in.retried;
    total.cancelled += in.cancelled;
    if (in.submitted) m.submitted->Increment(static_cast<double>(in.submitted));
    if (in.succeeded) m.succeeded->Increment(static_cast<double>(in.succeeded));
    if (in.failed) m.failed->Increment(static_cast<double>(in.failed));
    if (in.dead) m.dead->Increment(static_cast<double>(in.dead));
    if (in.retried) m.retried->Increment(static_cast<double>(in.retried));
    if (in.cancelled) m.cancelled->Increment(static_cast<double>(in.cancelled));
  }
  for (auto us : r.queue_wait_us)
    st.queue_wait.add(us);
  for (auto us : r.processing_us)
    st.processing.add(us);
  if (st.config.share) { // at most one window's worth between two ticks
    const auto room = [&](const std::vector<std::uint32_t>& v) {
      return st.config.latency_window - std::min<std::size_t>(v.size(), st.config.latency_window);
    };
    const auto qw = std::min(room(st.unshared_queue_wait), r.queue_wait_us.size());
    st.unshared_queue_wait.insert(st.unshared_queue_wait.end(), r.queue_wait_us.begin(),
                                  r.queue_wait_us.begin() + static_cast<std::ptrdiff_t>(qw));
    const auto pr = std::min(room(st.unshared_processing), r.processing_us.size());
    st.unshared_processing.insert(st.unshared_processing.end(), r.processing_us.begin(),
                                  r.processing_us.begin() + static_cast<std::ptrdiff_t>(pr));
  }
  // One histogram update per report: Observe() takes a lock per sample.
  observe_all(*st.metrics->queue_wait_seconds, r.queue_wait_us);
  observe_all(*st.metrics->processing_seconds, r.processing_us);
  st.window_busy_ns += r.busy_ns;
}

// Utilization is measured over fixed one-second windows (on the tick), so
// frequent /stats or /metrics reads do not shrink the window.
// A cluster worker pod then shares the window and its new latency samples.
void roll_utilization_window(stats_actor::stateful_pointer<stats_state> self) {
  auto& st = self->state;
  const auto now = steady_clock::now();
  const auto window_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - st.window_start).count();
  if (window_ns > 0 && st.config.workers > 0)
    st.utilization = std::min(1.0, static_cast<double>(st.window_busy_ns) /
                                     (static_cast<double>(window_ns) * st.config.workers));
  if (st.config.share && window_ns > 0) {
    stats_share s;
    s.busy_ns = st.window_busy_ns;
    s.capacity_ns = static_cast<std::uint64_t>(window_ns) * st.config.workers;
    s.queue_wait_us = std::exchange(st.unshared_queue_wait, {});
    s.processing_us = std::exchange(st.unshared_processing, {});
    self->send(st.cluster, report_atom::value, std::move(s));
  }
  st.window_start = now;
  st.window_busy_ns = 0;
}

void refresh_gauges(stats_state& st) {
  st.metrics->queue_depth->Set(static_cast<double>(st.queue->backlog()));
  st.metrics->in_flight->Set(static_cast<double>(st.gauges->in_flight.load(std::memory_order_relaxed)));
  st.metrics->records->Set(static_cast<double>(st.gauges->records.load(std::memory_order_relaxed)));
  st.metrics->workers->Set(st.config.workers);
  st.metrics->worker_utilization->Set(st.utilization);
}

// Cluster mode: replace this process's numbers with the cluster-wide ones.
void apply_cluster_view(const cluster_view& c, stats_snapshot& s) {
  s.submitted = c.totals.submitted;
  s.succeeded = c.totals.succeeded;
  s.failed = c.totals.failed;
  s.dead = c.totals.dead;
  s.retried = c.totals.retried;
  s.cancelled = c.totals.cancelled;
  s.backlog = c.backlog;
  s.backlog_high = c.backlog_high;
  s.in_flight = c.in_flight;
  s.records = c.records;
  s.workers = c.workers;
  s.worker_pods = c.worker_pods;
  s.by_type = c.by_type;
  if (c.worker_utilization)
    s.worker_utilization = *c.worker_utilization;
  if (c.queue_wait)
    s.queue_wait = *c.queue_wait;
  if (c.processing)
    s.processing = *c.processing;
}

stats_snapshot snapshot(stats_state& st) {
  stats_snapshot s;
  s.mode = st.config.mode;
  for (std::size_t i = 0; i < st.by_op.size(); ++i) {
    const auto& t = st.by_op[i];
    s.submitted += t.submitted;
    s.succeeded += t.succeeded;
    s.failed += t.failed;
    s.dead += t.dead;
    s.retried += t.retried;
    s.cancelled += t.cancelled;
    if (st.ops->enabled(static_cast<op_index>(i)))
      s.by_type.emplace_back(std::string{st.ops->name(static_cast<op_index>(i))}, t);
  }
  s.backlog = st.queue->backlog();
  // The dispatcher's high lane; tasks still on their way through intake
  // (a moment each) count as normal.
  s.backlog_high = std::min(s.backlog, st.gauges->high_lane.load(std::memory_order_relaxed));
  s.in_flight = st.gauges->in_flight.load(std::memory_order_relaxed);
  s.records = st.gauges->records.load(std::memory_order_relaxed);
  s.workers = st.config.workers;
  s.uptime_s = std::chrono::duration<double>(steady_clock::now() - st.started).count();
  s.worker_utilization = st.utilization;
  s.queue_wait = st.queue_wait.summary();
  s.processing = st.processing.summary();
  return s;
}

} // namespace

void sample_window::add(std::uint32_t v) noexcept {
  samples_[next_] = v;
  next_ = (next_ + 1) % samples_.size();
  ++total_;
}

latency_summary sample_window::summary() const {
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(total_, samples_.size()));
  return summarize(
    std::vector<std::uint32_t>(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(n)),
    total_);
}

latency_summary summarize(std::vector<std::uint32_t> v, std::uint64_t total) {
  const auto n = v.size();
  latency_summary out;
  out.samples = total;
  if (n == 0)
    return out;
  auto at = [&](double p) {
    const auto k = static_cast<std::size_t>(p * static_cast<double>(n - 1) + 0.5);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k] / 1000.0;
  };
  out.p50_ms = at(0.50);
  out.p99_ms = at(0.99);
  return out;
}

stats_actor::behavior_type stats(stats_actor::stateful_pointer<stats_state> self,
                                 stats_config config, const op_registry* ops,
                                 const intake_queue* queue, const pipeline_gauges* gauges,
                                 task_metrics* metrics, cluster_stats_actor cluster) {
  auto& st = self->state;
  st.config = config;
  st.ops = ops;
  st.queue = queue;
  st.gauges = gauges;
  st.metrics = metrics;
  st.cluster = std::move(cluster);
  st.by_op.resize(ops->size());
  st.queue_wait = sample_window{config.latency_window};
  st.processing = sample_window{config.latency_window};
  st.started = st.window_start = steady_clock::now();
  self->delayed_send(self, tick_interval, tick_atom::value);
  return {
    [=](report_atom, const stats_report& r) { add_report(self->state, r); },
    [=](get_atom) -> caf::result<stats_snapshot> {
      refresh_gauges(self->state);
      auto local = snapshot(self->state);
      if (!self->state.cluster)
        return local;
      // Cluster mode: the cluster-wide numbers, read by the cluster stats
      // actor on its own thread; without a reading (Valkey down since the
      // start), this process's own rather than no answer.
      auto promise = self->make_response_promise<stats_snapshot>();
      self->request(self->state.cluster, cluster_answer_timeout, get_atom::value)
        .then(
          [promise, local](cluster_view& view) mutable {
            apply_cluster_view(view, local);
            promise.deliver(std::move(local));
          },
          [promise, local](caf::error&) mutable { promise.deliver(std::move(local)); });
      return promise;
    },
    [=](tick_atom) {
      roll_utilization_window(self);
      refresh_gauges(self->state);
      self->delayed_send(self, tick_interval, tick_atom::value);
    },
  };
}

} // namespace taskmesh
