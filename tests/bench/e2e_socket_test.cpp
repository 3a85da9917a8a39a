// File: tests/bench/e2e_socket_test.cpp
// The e2e mode against a fake taskmesh on loopback that finishes every task
// at once with a 100 ms submit->finish gap: ids are collected, /stats says
// done on the first poll (so no poll interval is ever waited), and the
// sampled records give the latency.
#include "bench/loadgen/e2e.hpp"

#include <atomic>
#include <mutex>
#include <string>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include "bench/loadgen/runner.hpp"
#include "tests/bench/test_http_server.hpp"

namespace taskmesh::loadgen {
namespace {

using namespace std::chrono_literals;
using testing::test_http_server;
using testing::test_request;
using testing::test_response;

// Finished tasks before the run: the e2e mode must count relative to them.
constexpr std::uint64_t preexisting = 7;

struct fake_taskmesh {
  std::atomic<std::uint64_t> next_id{0};
  std::atomic<std::uint64_t> task_gets{0};
  bool with_stats = true;

  std::optional<test_response> operator()(const test_request& req) {
    const std::string target(req.target());
    if (target == "/task" || target == "/tasks") {
      const auto body = boost::json::parse(req.body());
      if (target == "/task")
        return test_response{202,
                             R"({"id":"t)" + std::to_string(next_id++) + R"(","status":"queued"})"};
      std::string ids = R"({"ids":[)";
      for (std::size_t i = 0; i < body.as_array().size(); ++i)
        ids += (i ? ",\"t" : "\"t") + std::to_string(next_id++) + "\"";
      return test_response{202, ids + "]}"};
    }
    if (target == "/stats") {
      if (!with_stats) return test_response{404, "{}"};
      return test_response{200, R"({"tasks":{"queued":0,"succeeded":)" +
                                    std::to_string(preexisting + next_id.load()) +
                                    R"(,"failed":0,"dead":0}})"};
    }
    if (target.starts_with("/task/t")) {
      ++task_gets;
      return test_response{
          200, R"({"id":")" + target.substr(6) +
                   R"(","status":"succeeded","submitted_at":"2026-11-22T02:12:15.123Z",)"
                   R"("finished_at":"2026-11-22T02:12:15.223Z"})"};
    }
    return test_response{404, "{}"};
  }
};

load_config e2e_config(const test_http_server& server) {
  load_config cfg;
  cfg.mode = run_mode::e2e;
  cfg.port = std::to_string(server.port());
  cfg.connections = 4;
  cfg.timeout = 5s;
  cfg.e2e_timeout = 5s;
  return cfg;
}

TEST(E2eSocket, SingleTaskSubmitsCompleteViaStats) {
  fake_taskmesh fake;
  test_http_server server(std::ref(fake));
  auto cfg = e2e_config(server);
  cfg.target = target_kind::task;
  cfg.tasks = 200;
  cfg.sample = 50;

  const auto r = run_e2e(cfg);
  EXPECT_EQ(r.tasks_submitted, 200u);
  EXPECT_EQ(r.tasks_accepted, 200u);
  EXPECT_EQ(r.submit.by_status[202], 200u);
  EXPECT_TRUE(r.completed);
  EXPECT_EQ(r.completion_source, "stats");
  EXPECT_EQ(r.terminal_observed, 200u);
  EXPECT_EQ(r.sample.size, 50u);
  EXPECT_EQ(r.sample.succeeded, 50u);
  EXPECT_EQ(fake.task_gets.load(), 50u);
  EXPECT_EQ(r.latency_us.count(), 50u);
  EXPECT_EQ(r.latency_us.percentile(50), 100'000u);
  EXPECT_GT(r.tasks_rate(), 0);
  EXPECT_GE(r.total_s, r.submit_s);
}

TEST(E2eSocket, BatchesWithRemainder) {
  fake_taskmesh fake;
  test_http_server server(std::ref(fake));
  auto cfg = e2e_config(server);
  cfg.target = target_kind::tasks;
  cfg.batch = 100;
  cfg.tasks = 250; // 100 + 100 + 50
  cfg.sample = 1000;

  const auto r = run_e2e(cfg);
  EXPECT_EQ(r.submit_requests, 3u);
  EXPECT_EQ(r.submit.responses, 3u);
  EXPECT_EQ(r.tasks_submitted, 250u);
  EXPECT_EQ(r.tasks_accepted, 250u);
  EXPECT_EQ(r.sample.size, 250u); // all ids fit the sample
  EXPECT_TRUE(r.completed);
}

TEST(E2eSocket, WithoutStatsCompletionComesFromTheSample) {
  fake_taskmesh fake;
  fake.with_stats = false;
  test_http_server server(std::ref(fake));
  auto cfg = e2e_config(server);
  cfg.tasks = 40;
  cfg.sample = 10;

  const auto r = run_e2e(cfg);
  EXPECT_EQ(r.completion_source, "sample");
  EXPECT_TRUE(r.completed);
  EXPECT_EQ(r.terminal_observed, 10u);
  EXPECT_EQ(r.latency_us.count(), 10u);
}

} // namespace
} // namespace taskmesh::loadgen
