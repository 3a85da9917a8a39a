// File: tests/bench/engine_socket_test.cpp
// The engine over real loopback sockets against the in-test server: exact
// request counts, statuses counted rather than fatal, reconnects, timeouts,
// the accepted ids a run keeps (--accepted-out), and the setup error when
// nothing listens. Each test runs in well under a
// second; none sleeps.
#include "bench/loadgen/engine.hpp"

#include <algorithm>
#include <atomic>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include "bench/loadgen/runner.hpp"
#include "tests/bench/test_http_server.hpp"

namespace taskmesh::loadgen {
namespace {

using namespace std::chrono_literals;
using testing::test_http_server;
using testing::test_request;
using testing::test_response;

std::int64_t wall_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

load_config config_for(const test_http_server& server) {
  load_config cfg;
  cfg.host = "127.0.0.1";
  cfg.port = std::to_string(server.port());
  cfg.url = "http://127.0.0.1:" + cfg.port;
  cfg.timeout = 5s;
  return cfg;
}

TEST(EngineSocket, ClosedLoopCountBasedOverFourConnections) {
  std::atomic<int> bad_bodies{0};
  test_http_server server([&](const test_request& req) -> std::optional<test_response> {
    if (req.target() != "/task" || req.body().size() != 100) ++bad_bodies;
    return test_response{202, R"({"id":"t","status":"queued"})"};
  });
  auto cfg = config_for(server);
  cfg.mode = run_mode::closed;
  cfg.target = target_kind::task;
  cfg.connections = 4;
  cfg.requests = 300;

  const auto r = run_load(cfg);
  EXPECT_EQ(r.stats.responses, 300u);
  EXPECT_EQ(r.stats.by_status[202], 300u);
  EXPECT_EQ(r.stats.errors(), 0u);
  EXPECT_EQ(r.stats.latency_us.count(), 300u);
  EXPECT_EQ(r.tasks(), 300u);
  EXPECT_EQ(server.requests(), 300u);
  EXPECT_EQ(bad_bodies.load(), 0);
  EXPECT_EQ(r.stats.bytes_sent, 300 * r.request_bytes);
  EXPECT_EQ(r.stats.connects, 0u);     // all four were opened before the start
  EXPECT_EQ(server.connections(), 5u); // + the setup probe
  EXPECT_GT(r.duration_s, 0);
}

TEST(EngineSocket, MultipleThreadsCountExactly) {
  test_http_server server([](const test_request&) -> std::optional<test_response> {
    return test_response{200, "ok"};
  });
  auto cfg = config_for(server);
  cfg.target = target_kind::raw;
  cfg.connections = 6;
  cfg.threads = 3;
  cfg.requests = 240;
  const auto r = run_load(cfg);
  EXPECT_EQ(r.threads, 3);
  EXPECT_EQ(r.stats.ok(), 240u);
  EXPECT_EQ(r.stats.errors(), 0u);
}

TEST(EngineSocket, NonSuccessStatusesAreCountedNotFatal) {
  std::atomic<int> n{0};
  test_http_server server([&](const test_request&) -> std::optional<test_response> {
    return ++n % 4 == 0 ? test_response{503, R"({"error":{"code":"overloaded"}})"}
                        : test_response{202, "{}"};
  });
  auto cfg = config_for(server);
  cfg.connections = 2;
  cfg.requests = 100;
  const auto r = run_load(cfg);
  EXPECT_EQ(r.stats.responses, 100u);
  EXPECT_EQ(r.stats.by_status[503], 25u);
  EXPECT_EQ(r.stats.by_status[202], 75u);
  EXPECT_EQ(r.stats.http_errors(), 25u);
  EXPECT_EQ(r.stats.transport_errors(), 0u);
}

TEST(EngineSocket, ReconnectsWhenTheServerClosesConnections) {
  test_http_server server([](const test_request&) -> std::optional<test_response> {
    return test_response{200, "bye", false}; // Connection: close on every answer
  });
  auto cfg = config_for(server);
  cfg.target = target_kind::raw;
  cfg.connections = 2;
  cfg.requests = 50;
  const auto r = run_load(cfg);
  EXPECT_EQ(r.stats.ok(), 50u);
  EXPECT_EQ(r.stats.errors(), 0u);
  EXPECT_GE(r.stats.connects, 48u); // every request after each connection's first
}

TEST(EngineSocket, UnansweredRequestsTimeOut) {
  test_http_server server(
      [](const test_request&) -> std::optional<test_response> { return std::nullopt; });
  auto cfg = config_for(server);
  cfg.target = target_kind::raw;
  cfg.connections = 1;
  cfg.requests = 3;
  cfg.timeout = 30ms;
  const auto r = run_load(cfg);
  EXPECT_EQ(r.stats.responses, 0u);
  EXPECT_EQ(r.stats.by_error[static_cast<std::size_t>(transport_error::timeout)], 3u);
}

TEST(EngineSocket, OpenLoopSendsTheScheduledCount) {
  test_http_server server([](const test_request&) -> std::optional<test_response> {
    return test_response{202, "{}"};
  });
  auto cfg = config_for(server);
  cfg.mode = run_mode::open;
  cfg.connections = 4;
  cfg.rate = 4000; // 200 requests: ~50 ms
  cfg.requests = 200;
  const auto r = run_load(cfg);
  EXPECT_EQ(r.stats.responses, 200u);
  EXPECT_EQ(r.stats.errors(), 0u);
  EXPECT_EQ(r.stats.send_lag_us.count(), 200u);
  EXPECT_GE(r.duration_s, 199.0 / 4000);
}

TEST(EngineSocket, DurationRunWithWarmupExcludesWarmupSamples) {
  test_http_server server([](const test_request&) -> std::optional<test_response> {
    return test_response{200, "ok"};
  });
  auto cfg = config_for(server);
  cfg.target = target_kind::raw;
  cfg.connections = 2;
  cfg.duration = 100ms;
  cfg.warmup = 50ms;
  const auto r = run_load(cfg);
  EXPECT_GT(r.stats.responses, 0u);
  EXPECT_LT(r.stats.responses, server.requests()); // the warm-up ones were sent, not counted
  EXPECT_GE(r.duration_s, 0.1);
  EXPECT_LT(r.duration_s, 1.0);
}

TEST(EngineSocket, OpenLoopKeepsTheAcceptedIdsWithTheirIntendedSendTimes) {
  std::atomic<int> n{0};
  test_http_server server([&](const test_request&) -> std::optional<test_response> {
    const int i = n++;
    if (i % 5 == 4)
      return test_response{503, R"({"error":{"code":"queue_full"}})"};
    return test_response{202, R"({"id":"t-)" + std::to_string(i) + R"(","status":"queued"})"};
  });
  auto cfg = config_for(server);
  cfg.mode = run_mode::open;
  cfg.connections = 4;
  cfg.rate = 2000; // 200 requests over ~100 ms
  cfg.requests = 200;
  cfg.accepted_out = "unused: run_load only collects, the binary writes";

  const auto before = wall_now_us();
  const auto r = run_load(cfg);
  const auto after = wall_now_us();

  EXPECT_EQ(r.stats.by_status[202], 160u);
  EXPECT_EQ(r.stats.by_status[503], 40u);
  ASSERT_EQ(r.accepted.size(), 160u); // the 503s' bodies carry no id and are not 2xx anyway
  std::set<std::string> ids;
  std::int64_t first = after, last = before;
  for (const auto& t : r.accepted) {
    ids.insert(t.id);
    EXPECT_GE(t.due_us, before);
    EXPECT_LE(t.due_us, after);
    first = std::min(first, t.due_us);
    last = std::max(last, t.due_us);
  }
  EXPECT_EQ(ids.size(), 160u);
  // Intended times follow the schedule (slot g due at g / rate), not the
  // answers: 200 slots at 2,000/s span ~99.5 ms however fast the server is.
  EXPECT_GE(last - first, 90'000);
}

// POST /tasks answers {"ids":[...]}: every id of it is kept, each with its
// request's due time.
TEST(EngineSocket, BatchAnswersKeepEveryId) {
  std::atomic<int> n{0};
  test_http_server server([&](const test_request&) -> std::optional<test_response> {
    const auto i = std::to_string(n++);
    return test_response{202, R"({"ids":["b)" + i + R"(-0","b)" + i + R"(-1","b)" + i + R"(-2"]})"};
  });
  auto cfg = config_for(server);
  cfg.target = target_kind::tasks;
  cfg.batch = 3;
  cfg.connections = 2;
  cfg.requests = 10;
  cfg.accepted_out = "unused: run_load only collects, the binary writes";
  const auto r = run_load(cfg);
  EXPECT_EQ(r.stats.ok(), 10u);
  ASSERT_EQ(r.accepted.size(), 30u);
  std::set<std::string> ids;
  for (const auto& t : r.accepted)
    ids.insert(t.id);
  EXPECT_EQ(ids.size(), 30u);
  EXPECT_TRUE(ids.contains("b0-2"));
}

TEST(EngineSocket, WithoutAcceptedOutNoIdIsKept) {
  test_http_server server([](const test_request&) -> std::optional<test_response> {
    return test_response{202, R"({"id":"t","status":"queued"})"};
  });
  auto cfg = config_for(server);
  cfg.connections = 2;
  cfg.requests = 20;
  const auto r = run_load(cfg);
  EXPECT_EQ(r.stats.ok(), 20u);
  EXPECT_TRUE(r.accepted.empty());
}

TEST(EngineSocket, NothingListeningIsASetupError) {
  unsigned short port = 0;
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  } // closed: nothing listens there now
  load_config cfg;
  cfg.port = std::to_string(port);
  cfg.requests = 1;
  EXPECT_THROW(run_load(cfg), setup_error);
}

} // namespace
} // namespace taskmesh::loadgen
