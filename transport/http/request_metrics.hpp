// File: transport/http/request_metrics.hpp
// HTTP request counts (by route and status code) and latency histograms (by
// route). The I/O threads only do relaxed atomic increments; the numbers are
// turned into Prometheus families when /metrics is scraped. (prometheus-cpp's
// own Histogram takes a mutex per observation, which the request path avoids.)
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/collectable.h>

namespace taskmesh::http {

class request_metrics : public prometheus::Collectable {
public:
  // One series set per route label; "unparsed" and "unmatched" are added.
  explicit request_metrics(std::vector<std::string> route_labels);

  void observe(std::string_view route, unsigned status, std::chrono::steady_clock::duration took) noexcept;

  std::vector<prometheus::MetricFamily> Collect() const override;

private:
  static constexpr std::array<double, 16> bounds{0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                                 0.0025,  0.005,  0.01,    0.025,  0.05,
                                                 0.1,     0.25,   0.5,     1,      2.5,
                                                 10};
  struct series {
    std::string route;
    std::array<std::atomic<std::uint64_t>, 600> by_status{};
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_ns{0};
  };
  std::vector<std::unique_ptr<series>> routes_;
};

} // namespace taskmesh::http
