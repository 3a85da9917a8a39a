// File: tests/bench/report_test.cpp
// The JSON report is the contract with the bench scripts: every field is
// present, numbers add up, and the text summary mentions the essentials.
#include "bench/loadgen/report.hpp"
#include "bench/loadgen/report_format.hpp"

#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace taskmesh::loadgen {
namespace {

namespace json = boost::json;

double num(const json::value& v) {
  return v.to_number<double>();
}

load_result sample_result() {
  load_result r;
  for (std::uint64_t us = 1; us <= 1000; ++us) r.stats.add_response(202, us);
  for (int i = 0; i < 10; ++i) r.stats.add_response(503, 50);
  r.stats.add_error(transport_error::timeout, 3);
  r.stats.add_error(transport_error::closed);
  r.stats.bytes_sent = 12345;
  r.stats.bytes_received = 6789;
  r.stats.connects = 2;
  r.duration_s = 2.0;
  r.method = "POST";
  r.path = "/tasks";
  r.body_bytes = 1012;
  r.request_bytes = 1130;
  r.tasks_per_request = 10;
  r.threads = 2;
  return r;
}

TEST(Report, LoadJsonHasAllFieldsWithCorrectValues) {
  load_config cfg;
  cfg.mode = run_mode::closed;
  cfg.target = target_kind::tasks;
  cfg.connections = 8;
  cfg.threads = 2;
  const auto r = sample_result();
  // Round trip through the text the binary prints, as a script would see it.
  const json::value v = json::parse(json_text(load_report_json(cfg, r)));

  EXPECT_EQ(v.at("mode").as_string(), "closed");
  EXPECT_EQ(v.at("target").as_string(), "tasks");
  EXPECT_EQ(num(v.at("requests")), 1010);
  EXPECT_EQ(num(v.at("ok")), 1000);
  EXPECT_DOUBLE_EQ(num(v.at("duration_s")), 2.0);
  EXPECT_DOUBLE_EQ(num(v.at("rate")), 505.0);
  EXPECT_DOUBLE_EQ(num(v.at("ok_rate")), 500.0);
  EXPECT_EQ(num(v.at("tasks")), 10'000);
  EXPECT_DOUBLE_EQ(num(v.at("tasks_rate")), 5000.0);

  const auto& lat = v.at("latency_us");
  for (const char* key : {"count", "min", "mean", "p50", "p90", "p99", "p99_9", "max"})
    EXPECT_TRUE(lat.as_object().contains(key)) << key;
  EXPECT_EQ(num(lat.at("count")), 1010);
  EXPECT_EQ(num(lat.at("max")), 1000);
  EXPECT_NEAR(num(lat.at("p50")), r.stats.latency_us.percentile(50), 0);
  EXPECT_NEAR(num(lat.at("p90")), 900, 9);

  EXPECT_EQ(num(v.at("status").at("202")), 1000);
  EXPECT_EQ(num(v.at("status").at("503")), 10);
  const auto& err = v.at("errors");
  EXPECT_EQ(num(err.at("total")), 14);
  EXPECT_EQ(num(err.at("by_status").at("503")), 10);
  EXPECT_FALSE(err.at("by_status").as_object().contains("202"));
  EXPECT_EQ(num(err.at("by_kind").at("timeout")), 3);
  EXPECT_EQ(num(err.at("by_kind").at("closed")), 1);
  EXPECT_EQ(num(err.at("by_kind").at("connect")), 0);
  EXPECT_EQ(err.at("by_kind").as_object().size(), transport_error_kinds);

  EXPECT_EQ(num(v.at("bytes").at("sent")), 12345);
  EXPECT_EQ(num(v.at("bytes").at("received")), 6789);
  EXPECT_EQ(num(v.at("connects")), 2);
  EXPECT_EQ(v.at("request").at("path").as_string(), "/tasks");
  EXPECT_EQ(num(v.at("request").at("tasks_per_request")), 10);

  const auto& c = v.at("config");
  EXPECT_EQ(c.at("url").as_string(), "http://127.0.0.1:8080");
  EXPECT_EQ(num(c.at("connections")), 8);
  EXPECT_EQ(num(c.at("batch")), 10);
  EXPECT_DOUBLE_EQ(num(c.at("duration_s")), 10.0);
  EXPECT_FALSE(v.as_object().contains("send_lag_us")); // open loop only
}

TEST(Report, OpenLoopAddsRateAndSendLag) {
  load_config cfg;
  cfg.mode = run_mode::open;
  cfg.rate = 2500;
  cfg.requests = 100;
  const json::value v = json::parse(json::serialize(load_report_json(cfg, sample_result())));
  EXPECT_TRUE(v.as_object().contains("send_lag_us"));
  EXPECT_DOUBLE_EQ(num(v.at("config").at("rate")), 2500);
  EXPECT_EQ(num(v.at("config").at("requests")), 100);
  EXPECT_FALSE(v.at("config").as_object().contains("duration_s"));
}

TEST(Report, JsonTextWritesPlainDecimalsAndRoundTrips) {
  const json::value v = {{"a", 3.0},       {"b", 0.174},   {"c", json::array{1, -2, 2.5e-7}},
                         {"d", "q\"uote"}, {"e", nullptr}, {"f", true}};
  const auto text = json_text(v);
  EXPECT_EQ(text, R"({"a":3,"b":0.174,"c":[1,-2,2.5e-07],"d":"q\"uote","e":null,"f":true})");
  EXPECT_EQ(json::parse(text).at("b").as_double(), 0.174);
  EXPECT_EQ(json_text(json::value(std::nan(""))), "null");
}

TEST(Report, TextSummaryMentionsTheEssentials) {
  load_config cfg;
  cfg.target = target_kind::tasks;
  const auto text = load_report_text(cfg, sample_result());
  EXPECT_NE(text.find("POST /tasks"), std::string::npos);
  EXPECT_NE(text.find("1010"), std::string::npos);
  EXPECT_NE(text.find("p99.9"), std::string::npos);
  EXPECT_NE(text.find("HTTP 503 x10"), std::string::npos);
  EXPECT_NE(text.find("timeout x3"), std::string::npos);
  EXPECT_NE(text.find("tasks 10000"), std::string::npos);
}

TEST(Report, E2eJsonHasAllFields) {
  load_config cfg;
  cfg.mode = run_mode::e2e;
  cfg.tasks = 500;
  e2e_result r;
  r.tasks_submitted = 500;
  r.tasks_accepted = 490;
  r.submit.add_response(202, 100);
  r.submit.add_response(503, 10);
  r.submit_s = 0.5;
  r.completion_source = "stats";
  r.completed = true;
  r.terminal_observed = 490;
  r.total_s = 2.0;
  r.poll_interval_s = 0.05;
  r.latency_us.record(100'000);
  r.sample.size = 1;
  r.sample.succeeded = 1;
  const json::value v = json::parse(json::serialize(e2e_report_json(cfg, r)));
  EXPECT_EQ(v.at("mode").as_string(), "e2e");
  EXPECT_EQ(num(v.at("tasks")), 500);
  EXPECT_EQ(num(v.at("accepted")), 490);
  EXPECT_TRUE(v.at("completed").as_bool());
  EXPECT_DOUBLE_EQ(num(v.at("duration_s")), 2.0);
  EXPECT_DOUBLE_EQ(num(v.at("tasks_rate")), 245.0);
  EXPECT_EQ(num(v.at("latency_us").at("p50")), 100'000);
  EXPECT_EQ(num(v.at("sample").at("succeeded")), 1);
  EXPECT_DOUBLE_EQ(num(v.at("submit").at("tasks_rate")), 980.0);
  EXPECT_EQ(num(v.at("submit").at("errors").at("by_status").at("503")), 1);
  EXPECT_EQ(num(v.at("config").at("tasks")), 500);
  EXPECT_NE(e2e_report_text(cfg, r).find("490 accepted"), std::string::npos);
}

} // namespace
} // namespace taskmesh::loadgen
