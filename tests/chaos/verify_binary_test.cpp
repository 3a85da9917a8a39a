// File: tests/chaos/verify_binary_test.cpp
// taskmesh-verify end to end against a real embedded taskmesh: a short
// fault-free run passes with every task accounted for, progress lines and
// phase marks on stderr, the JSON report and the verdict line on stdout.
// With no api listening it exits 3 without measuring anything.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "tests/support/process.hpp"
#include "tests/support/taskmesh_server.hpp"

namespace taskmesh::verify {
namespace {

using namespace std::chrono_literals;
namespace ts = taskmesh::test_support;

TEST(VerifyBinary, AFaultFreeRunPassesAndAccountsForEveryTask) {
  ts::taskmesh_server server(ts::topology::embedded, TASKMESH_BINARY, {"--workers", "2"});
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  const auto run = ts::run_to_exit(TASKMESH_VERIFY_BINARY,
                                   {"--url", url, "--rate", "40", "-c", "4", "--steady", "1s",
                                    "--fault", "1s", "--recover", "1s", "--progress", "1s",
                                    "--max-failed", "0", "--max-refused", "0"},
                                   {}, 60s);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("phase=fault"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("phase=recover"), std::string::npos) << run.output;
  const auto verdict = run.output.find("verdict: PASS accepted=120 succeeded=120");
  ASSERT_NE(verdict, std::string::npos) << run.output;
  EXPECT_NE(run.output.find("counters=unread"), std::string::npos); // no --valkey in embedded mode
  const auto json_start = run.output.rfind("{\"run_id\"", verdict);
  ASSERT_NE(json_start, std::string::npos) << run.output;
  const auto report =
    boost::json::parse(run.output.substr(json_start, run.output.find('\n', json_start) - json_start))
      .as_object();
  EXPECT_EQ(report.at("lost").as_int64(), 0);
  EXPECT_EQ(report.at("executed_twice").as_int64(), 0);
  EXPECT_EQ(report.at("wrong_results").as_int64(), 0);
  EXPECT_EQ(report.at("stats_excess").as_int64(), 0);
  EXPECT_EQ(report.at("verdict").as_string(), "PASS");
}

TEST(VerifyBinary, NoApiExits3) {
  const auto port = ts::free_loopback_port();
  const auto run = ts::run_to_exit(
    TASKMESH_VERIFY_BINARY, {"--url", "http://127.0.0.1:" + std::to_string(port), "--timeout", "200ms"},
    {}, 60s);
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("no api answered"), std::string::npos) << run.output;
}

} // namespace
} // namespace taskmesh::verify
