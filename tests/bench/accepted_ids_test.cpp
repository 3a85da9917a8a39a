// File: tests/bench/accepted_ids_test.cpp
// The accepted-ids log of the load generator: which ids an answer yields,
// the file format, and (over loopback) that an open-loop run keeps exactly
// the 2xx answers' ids with their intended send times on the wall clock.
#include "bench/loadgen/accepted_ids.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "bench/loadgen/engine.hpp"
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

TEST(AcceptedIds, OneTaskAnswerYieldsItsId) {
  std::vector<accepted_task> out;
  collect_ids(R"({"id":"0193a0c2-aaaa","status":"queued"})", 42, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "0193a0c2-aaaa");
  EXPECT_EQ(out[0].due_us, 42);
}

TEST(AcceptedIds, BatchAnswerYieldsEveryIdInOrder) {
  std::vector<accepted_task> out;
  collect_ids(R"({"tasks":[{"id":"a","status":"queued"},{"id":"b","status":"queued"},)"
              R"({"id":"c","status":"succeeded","duplicate":true}]})",
              7, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].id, "a");
  EXPECT_EQ(out[1].id, "b");
  EXPECT_EQ(out[2].id, "c");
}

TEST(AcceptedIds, BodiesWithoutACompleteIdYieldNothing) {
  std::vector<accepted_task> out;
  collect_ids("", 1, out);
  collect_ids(R"({"error":{"code":"queue_full"}})", 1, out);
  collect_ids(R"({"id":"cut-off)", 1, out); // no closing quote
  EXPECT_TRUE(out.empty());
}

TEST(AcceptedIds, FileHasOneLinePerTask) {
  const std::string path = ::testing::TempDir() + "accepted_ids_test.txt";
  ASSERT_TRUE(write_accepted(path, {{"x", 1700000000000001}, {"y", 1700000000000002}}));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "x 1700000000000001\ny 1700000000000002\n");
  EXPECT_FALSE(write_accepted("/nonexistent-dir/accepted.txt", {}));
}

TEST(AcceptedIds, OpenLoopKeepsTheAcceptedIdsWithTheirIntendedSendTimes) {
  std::atomic<int> n{0};
  test_http_server server([&](const test_request&) -> std::optional<test_response> {
    const int i = n++;
    if (i % 5 == 4)
      return test_response{503, R"({"error":{"code":"queue_full"}})"};
    return test_response{202, R"({"id":"t-)" + std::to_string(i) + R"(","status":"queued"})"};
  });
  load_config cfg;
  cfg.host = "127.0.0.1";
  cfg.port = std::to_string(server.port());
  cfg.timeout = 5s;
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

TEST(AcceptedIds, WithoutTheFlagNothingIsKept) {
  test_http_server server([](const test_request&) -> std::optional<test_response> {
    return test_response{202, R"({"id":"t","status":"queued"})"};
  });
  load_config cfg;
  cfg.host = "127.0.0.1";
  cfg.port = std::to_string(server.port());
  cfg.connections = 2;
  cfg.requests = 20;
  const auto r = run_load(cfg);
  EXPECT_EQ(r.stats.ok(), 20u);
  EXPECT_TRUE(r.accepted.empty());
}

} // namespace
} // namespace taskmesh::loadgen
