// File: transport/http/request_metrics.cpp
#include "transport/http/request_metrics.hpp"

#include <algorithm>

#include <prometheus/metric_family.h>

namespace taskmesh::http {

request_metrics::request_metrics(std::vector<std::string> route_labels) {
  route_labels.push_back("unparsed");  // refused while reading (400, 413, 431)
  route_labels.push_back("unmatched"); // no route: 404 (must stay last)
  for (auto& label : route_labels) {
    auto s = std::make_unique<series>();
    s->route = std::move(label);
    routes_.push_back(std::move(s));
  }
}

void request_metrics::observe(std::string_view route, unsigned status,
                              std::chrono::steady_clock::duration took) noexcept {
  auto it = std::find_if(routes_.begin(), routes_.end(),
                         [&](const auto& s) { return s->route == route; });
  auto& s = it != routes_.end() ? **it : *routes_.back();
  constexpr auto relaxed = std::memory_order_relaxed;
  s.by_status[std::min(status, 599u)].fetch_add(1, relaxed);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(took).count();
  const double seconds = static_cast<double>(ns) / 1e9;
  const auto bucket = static_cast<std::size_t>(
    std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin());
  s.buckets[bucket].fetch_add(1, relaxed);
  s.count.fetch_add(1, relaxed);
  s.sum_ns.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(ns, 0)), relaxed);
}

std::vector<prometheus::MetricFamily> request_metrics::Collect() const {
  prometheus::MetricFamily requests{"taskmesh_http_requests_total",
                                    "HTTP requests answered, by route and status code",
                                    prometheus::MetricType::Counter, {}};
  prometheus::MetricFamily latency{"taskmesh_http_request_duration_seconds",
                                   "Time from a parsed request to its response, by route",
                                   prometheus::MetricType::Histogram, {}};
  constexpr auto relaxed = std::memory_order_relaxed;
  for (const auto& s : routes_) {
    for (unsigned code = 100; code < s->by_status.size(); ++code) {
      const auto n = s->by_status[code].load(relaxed);
      if (n == 0)
        continue;
      prometheus::ClientMetric m;
      m.label = {{"route", s->route}, {"code", std::to_string(code)}};
      m.counter.value = static_cast<double>(n);
      requests.metric.push_back(std::move(m));
    }
    prometheus::ClientMetric h;
    h.label = {{"route", s->route}};
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += s->buckets[i].load(relaxed);
      h.histogram.bucket.push_back({cumulative, bounds[i]});
    }
    cumulative += s->buckets[bounds.size()].load(relaxed);
    h.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
    h.histogram.sample_count = cumulative;
    h.histogram.sample_sum = static_cast<double>(s->sum_ns.load(relaxed)) / 1e9;
    latency.metric.push_back(std::move(h));
  }
  return {std::move(requests), std::move(latency)};
}

} // namespace taskmesh::http
