// File: tests/http/request_metrics_test.cpp
// HTTP request metrics: counts by route and status code, latency histograms
// with cumulative buckets, the Prometheus families Collect() builds (names,
// types, labels), and the router feeding them.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <gtest/gtest.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include "tests/http/http_test_support.hpp"
#include "transport/http/request_metrics.hpp"

namespace taskmesh::http_test {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

const prometheus::MetricFamily& family(const std::vector<prometheus::MetricFamily>& all,
                                       std::string_view name) {
  const auto it = std::find_if(all.begin(), all.end(), [&](const auto& f) { return f.name == name; });
  if (it == all.end())
    throw std::runtime_error("no family " + std::string(name));
  return *it;
}

std::map<std::string, std::string> labels(const prometheus::ClientMetric& m) {
  std::map<std::string, std::string> out;
  for (const auto& l : m.label)
    out[l.name] = l.value;
  return out;
}

// route/code -> count, from the requests counter family.
std::map<std::pair<std::string, std::string>, double> counts(const request_metrics& rm) {
  std::map<std::pair<std::string, std::string>, double> out;
  const auto all = rm.Collect();
  for (const auto& m : family(all, "taskmesh_http_requests_total").metric) {
    auto l = labels(m);
    out[{l.at("route"), l.at("code")}] = m.counter.value;
  }
  return out;
}

const prometheus::ClientMetric& histogram_of(const std::vector<prometheus::MetricFamily>& all,
                                             std::string_view route) {
  for (const auto& m : family(all, "taskmesh_http_request_duration_seconds").metric)
    if (labels(m).at("route") == route)
      return m;
  throw std::runtime_error("no histogram for " + std::string(route));
}

TEST(RequestMetrics, FamiliesAndTypes) {
  const request_metrics rm{{"/task", "/stats"}};
  const auto all = rm.Collect();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "taskmesh_http_requests_total");
  EXPECT_EQ(all[0].type, prometheus::MetricType::Counter);
  EXPECT_FALSE(all[0].help.empty());
  EXPECT_TRUE(all[0].metric.empty()); // no requests, no series
  EXPECT_EQ(all[1].name, "taskmesh_http_request_duration_seconds");
  EXPECT_EQ(all[1].type, prometheus::MetricType::Histogram);
  // One histogram per route label, plus "unparsed" (refused while reading)
  // and "unmatched" (no route), even before any request.
  ASSERT_EQ(all[1].metric.size(), 4u);
  EXPECT_EQ(labels(all[1].metric[0]), (std::map<std::string, std::string>{{"route", "/task"}}));
  EXPECT_EQ(labels(all[1].metric[1]).at("route"), "/stats");
  EXPECT_EQ(labels(all[1].metric[2]).at("route"), "unparsed");
  EXPECT_EQ(labels(all[1].metric[3]).at("route"), "unmatched");
}

TEST(RequestMetrics, CountsByRouteAndCode) {
  request_metrics rm{{"/task", "/stats"}};
  rm.observe("/task", 202, microseconds{100});
  rm.observe("/task", 202, microseconds{100});
  rm.observe("/task", 400, microseconds{100});
  rm.observe("/stats", 200, microseconds{100});
  rm.observe("/elsewhere", 404, microseconds{100}); // not a known label
  const auto c = counts(rm);
  EXPECT_EQ(c.size(), 4u);
  EXPECT_EQ(c.at({"/task", "202"}), 2);
  EXPECT_EQ(c.at({"/task", "400"}), 1);
  EXPECT_EQ(c.at({"/stats", "200"}), 1);
  EXPECT_EQ(c.at({"unmatched", "404"}), 1);
}

TEST(RequestMetrics, OutOfRangeStatusIsClamped) {
  request_metrics rm{{}};
  rm.observe("unmatched", 999, microseconds{1});
  EXPECT_EQ(counts(rm).at({"unmatched", "599"}), 1);
}

TEST(RequestMetrics, HistogramBucketsAreCumulative) {
  request_metrics rm{{"/task"}};
  rm.observe("/task", 202, microseconds{30});     // <= 50 us
  rm.observe("/task", 202, microseconds{1000});   // exactly 1 ms: in le=0.001
  rm.observe("/task", 202, microseconds{1001});   // le=0.0025
  rm.observe("/task", 202, milliseconds{300});    // le=0.5
  rm.observe("/task", 202, std::chrono::seconds{20}); // above every bound: +Inf only
  const auto all = rm.Collect();
  const auto& h = histogram_of(all, "/task").histogram;
  ASSERT_EQ(h.bucket.size(), 17u);
  EXPECT_EQ(h.sample_count, 5u);
  EXPECT_NEAR(h.sample_sum, 0.00003 + 0.001 + 0.001001 + 0.3 + 20, 1e-9);

  std::map<double, std::uint64_t> le;
  for (const auto& b : h.bucket)
    le[b.upper_bound] = b.cumulative_count;
  EXPECT_EQ(le.at(0.00005), 1u);
  EXPECT_EQ(le.at(0.0005), 1u);
  EXPECT_EQ(le.at(0.001), 2u);
  EXPECT_EQ(le.at(0.0025), 3u);
  EXPECT_EQ(le.at(0.25), 3u);
  EXPECT_EQ(le.at(0.5), 4u);
  EXPECT_EQ(le.at(10), 4u);
  EXPECT_EQ(h.bucket.back().upper_bound, std::numeric_limits<double>::infinity());
  EXPECT_EQ(h.bucket.back().cumulative_count, 5u);
  for (std::size_t i = 1; i < h.bucket.size(); ++i) {
    EXPECT_LT(h.bucket[i - 1].upper_bound, h.bucket[i].upper_bound);
    EXPECT_LE(h.bucket[i - 1].cumulative_count, h.bucket[i].cumulative_count);
  }
  // Other routes stay empty.
  const auto& other = histogram_of(all, "unmatched").histogram;
  EXPECT_EQ(other.sample_count, 0u);
  EXPECT_EQ(other.bucket.back().cumulative_count, 0u);
}

TEST(RequestMetrics, TextExposition) {
  request_metrics rm{{"/task/{id}"}};
  rm.observe("/task/{id}", 200, microseconds{200});
  const auto text = prometheus::TextSerializer{}.Serialize(rm.Collect());
  EXPECT_NE(text.find("taskmesh_http_requests_total{route=\"/task/{id}\",code=\"200\"} 1"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("taskmesh_http_request_duration_seconds_bucket{route=\"/task/{id}\","
                      "le=\"0.00025\"} 1"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("taskmesh_http_request_duration_seconds_count{route=\"/task/{id}\"} 1"),
            std::string::npos)
    << text;
}

TEST(RequestMetrics, RouterRecordsEveryAnswer) {
  const router api = router::api();
  std::vector<std::string> route_labels;
  for (const auto& r : api.routes())
    route_labels.emplace_back(r.pattern);
  request_metrics rm{route_labels};
  bare_context b;
  b.ctx.http_metrics = &rm;
  using v = bhttp::verb;
  serve(api, make_request(v::get, "/health/live"), b.ctx);
  serve(api, make_request(v::get, "/health/live?x=1"), b.ctx);
  serve(api, make_request(v::post, "/task", "{", "application/json"), b.ctx);
  serve(api, make_request(v::get, "/task/not-an-id"), b.ctx);
  serve(api, make_request(v::get, "/nope"), b.ctx);
  serve(api, make_request(v::delete_, "/task"), b.ctx); // 405: labelled by the known path
  const auto c = counts(rm);
  EXPECT_EQ(c.at({"/health/live", "200"}), 2);
  EXPECT_EQ(c.at({"/task", "400"}), 1);
  EXPECT_EQ(c.at({"/task/{id}", "404"}), 1); // by pattern, never by task id
  EXPECT_EQ(c.at({"unmatched", "404"}), 1);
  EXPECT_EQ(c.at({"/task", "405"}), 1);
  EXPECT_EQ(c.count({"unmatched", "405"}), 0u);
  EXPECT_EQ(histogram_of(rm.Collect(), "/health/live").histogram.sample_count, 2u);
}

} // namespace
} // namespace taskmesh::http_test
