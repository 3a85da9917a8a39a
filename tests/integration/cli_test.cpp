// File: tests/integration/cli_test.cpp
// The binary's command line: --help/--version exit 0, every invalid value
// exits 2 naming its flag before anything starts, and TASKMESH_* variables
// apply unless a flag overrides them. In the cluster topology the invalid-
// value cases also carry the cluster flags (an api pod must refuse them the
// same way, before connecting anywhere), and the worker count is read from
// each worker pod's /metrics, since /stats counts worker pods there.
#include <algorithm>
#include <cctype>
#include <regex>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "tests/integration/fixture.hpp"
#include "tests/support/cpu_affinity.hpp"

namespace taskmesh::it {
namespace {

using test_support::finished_run;
using test_support::free_loopback_port;
using test_support::run_to_exit;

finished_run run_cli(std::vector<std::string> args, env_list env = {}) {
  return run_to_exit(binary(), args, env, 10s);
}

std::string listen_arg() { return "127.0.0.1:" + std::to_string(free_loopback_port()); }

// Cluster topology: the flags of an api pod, pointing at ports where nothing
// listens (a process that wrongly starts is caught by run_cli's limit).
std::vector<std::string> topology_args() {
  if (!cluster_topology())
    return {};
  const auto unused = std::to_string(free_loopback_port());
  return {"--role", "api", "--nats", "nats://127.0.0.1:" + unused, "--valkey",
          "redis://127.0.0.1:" + unused};
}

TEST(Cli, HelpExitsZeroAndListsFlags) {
  const auto run = run_cli({"--help"});
  ASSERT_TRUE(run.exit_code.has_value()) << "--help did not exit; output:\n" << run.output;
  EXPECT_EQ(*run.exit_code, 0) << run.output;
  for (const char* flag : {"--listen", "--workers", "--queue-capacity", "--max-body",
                           "--retry-base-delay", "--drain-timeout", "--disable-ops"})
    EXPECT_NE(run.output.find(flag), std::string::npos) << flag << " not in --help:\n"
                                                       << run.output;
}

TEST(Cli, VersionExitsZeroAndPrintsVersion) {
  const auto run = run_cli({"--version"});
  ASSERT_TRUE(run.exit_code.has_value()) << "--version did not exit; output:\n" << run.output;
  EXPECT_EQ(*run.exit_code, 0) << run.output;
#ifdef TASKMESH_VERSION
  EXPECT_NE(run.output.find(TASKMESH_VERSION), std::string::npos) << run.output;
#else
  EXPECT_TRUE(std::regex_search(run.output, std::regex(R"(\d+\.\d+\.\d+)"))) << run.output;
#endif
}

struct bad_flag {
  const char* name; // test name suffix
  std::vector<std::string> args;
  std::string flag; // what the message must name
};

// Names the case in test output and CTest names instead of dumping bytes.
void PrintTo(const bad_flag& f, std::ostream* os) { *os << f.name; }

class InvalidFlag : public ::testing::TestWithParam<bad_flag> {};

TEST_P(InvalidFlag, ExitsTwoNamingTheFlag) {
  const auto& p = GetParam();
  std::vector<std::string> args = p.args;
  if (p.flag != "--listen") {
    // A valid --listen, so a server that wrongly starts is caught by the
    // 10 s limit instead of failing on a taken default port.
    args.insert(args.begin(), {"--listen", listen_arg()});
  }
  const auto cluster = topology_args();
  args.insert(args.begin(), cluster.begin(), cluster.end());
  const auto run = run_cli(args);
  ASSERT_TRUE(run.exit_code.has_value())
    << "still running 10 s after invalid flags; output:\n" << run.output;
  EXPECT_EQ(*run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find(p.flag), std::string::npos)
    << "message does not name " << p.flag << ":\n" << run.output;
}

INSTANTIATE_TEST_SUITE_P(
  Cli, InvalidFlag,
  ::testing::Values(bad_flag{"WorkersZero", {"--workers", "0"}, "--workers"},
                    bad_flag{"WorkersNotANumber", {"--workers", "abc"}, "--workers"},
                    bad_flag{"IoThreadsZero", {"--io-threads", "0"}, "--io-threads"},
                    bad_flag{"LogFormatXml", {"--log-format", "xml"}, "--log-format"},
                    bad_flag{"LogLevelUnknown", {"--log-level", "loud"}, "--log-level"},
                    bad_flag{"MaxBodyNegative", {"--max-body", "-1"}, "--max-body"},
                    bad_flag{"MaxBodyNotASize", {"--max-body", "lots"}, "--max-body"},
                    bad_flag{"ListenNonsense", {"--listen", "nonsense"}, "--listen"},
                    bad_flag{"ListenPortOutOfRange", {"--listen", "127.0.0.1:70000"}, "--listen"},
                    bad_flag{"ListenColonOnly", {"--listen", ":"}, "--listen"},
                    bad_flag{"ListenPortMissing", {"--listen", "127.0.0.1:"}, "--listen"},
                    bad_flag{"QueueCapacityNotANumber", {"--queue-capacity", "abc"},
                             "--queue-capacity"},
                    bad_flag{"MaxInFlightNotANumber", {"--max-in-flight", "x"}, "--max-in-flight"},
                    bad_flag{"ResultTtlNotADuration", {"--result-ttl", "soon"}, "--result-ttl"},
                    bad_flag{"RetryBaseDelayNotADuration", {"--retry-base-delay", "fast"},
                             "--retry-base-delay"},
                    bad_flag{"DrainTimeoutNotADuration", {"--drain-timeout", "abc"},
                             "--drain-timeout"},
                    bad_flag{"MaxResultBytesTooSmall", {"--max-result-bytes", "10"},
                             "--max-result-bytes"},
                    bad_flag{"MaxResultBytesNotASize", {"--max-result-bytes", "lots"},
                             "--max-result-bytes"},
                    bad_flag{"OpTimeoutWithoutUnit", {"--op-timeout", "10"}, "--op-timeout"},
                    bad_flag{"OpTimeoutZero", {"--op-timeout", "0ms"}, "--op-timeout"},
                    bad_flag{"HeaderTimeoutWithoutUnit", {"--header-timeout", "5"},
                             "--header-timeout"},
                    bad_flag{"UnknownFlag", {"--no-such-flag", "1"}, "--no-such-flag"}),
  [](const ::testing::TestParamInfo<bad_flag>& info) { return std::string(info.param.name); });

// Records in Valkey are bounded by --result-ttl, not by a count: the
// embedded store's bound is refused in cluster mode rather than ignored.
TEST(Cli, MaxRecordsIsRefusedInClusterMode) {
  const auto unused = std::to_string(free_loopback_port());
  const auto run = run_cli({"--listen", listen_arg(), "--role", "api", "--nats",
                            "nats://127.0.0.1:" + unused, "--valkey", "redis://127.0.0.1:" + unused,
                            "--max-records", "1000"});
  ASSERT_TRUE(run.exit_code.has_value()) << "still running 10 s after; output:\n" << run.output;
  EXPECT_EQ(*run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("--max-records"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("--result-ttl"), std::string::npos) << run.output;
}

// docs/operations.md quotes these messages.
TEST(Cli, ListenErrorsSayWhatDocsSay) {
  auto args = topology_args();
  args.insert(args.end(), {"--listen", "no-such-host.invalid:8080"});
  const auto unresolved = run_cli(args);
  ASSERT_TRUE(unresolved.exit_code.has_value()) << unresolved.output;
  EXPECT_EQ(*unresolved.exit_code, 2) << unresolved.output;
  EXPECT_NE(unresolved.output.find("taskmesh: --listen: cannot resolve host 'no-such-host.invalid'"),
            std::string::npos)
    << unresolved.output;
}

TEST(Cli, InvalidEnvValueExitsTwo) {
  auto args = topology_args();
  args.insert(args.end(), {"--listen", listen_arg()});
  const auto run = run_cli(args, {{"TASKMESH_WORKERS", "abc"}});
  ASSERT_TRUE(run.exit_code.has_value()) << "still running; output:\n" << run.output;
  EXPECT_EQ(*run.exit_code, 2) << run.output;
  std::string upper = run.output;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  EXPECT_NE(upper.find("WORKERS"), std::string::npos) << "message names no setting:\n"
                                                      << run.output;
}

class CliEnv : public integration_test {
protected:
  // The worker actors `s` runs per process: embedded, /stats "workers";
  // cluster, /stats counts worker pods, so each worker pod's
  // taskmesh_workers gauge (its --workers) must say `expected`.
  void expect_workers(taskmesh_server& s, std::int64_t expected) {
    auto* k = s.cluster();
    if (!k) {
      EXPECT_EQ(num(get_stats(s.client()), "workers"), expected);
      return;
    }
    EXPECT_EQ(num(get_stats(s.client()), "workers"),
              static_cast<std::int64_t>(k->worker_count()));
    for (std::size_t i = 0; i < k->worker_count(); ++i) {
      const auto r = k->worker(i).client().get("/metrics");
      ASSERT_EQ(r.status, 200u) << r.describe();
      EXPECT_EQ(metric_sum(r.body, "taskmesh_workers"), static_cast<double>(expected))
        << k->worker(i).name();
    }
    // An api pod runs no worker actors, whatever --workers says.
    const auto r = k->api().client().get("/metrics");
    ASSERT_EQ(r.status, 200u) << r.describe();
    EXPECT_EQ(metric_sum(r.body, "taskmesh_workers"), 0.0) << k->api().name();
  }
};

TEST_F(CliEnv, WorkersFromEnvShowInStats) {
  auto& s = start_own({}, {{"TASKMESH_WORKERS", "3"}});
  expect_workers(s, 3);
}

TEST_F(CliEnv, WorkersFlagOverridesEnv) {
  auto& s = start_own({"--workers", "2"}, {{"TASKMESH_WORKERS", "3"}});
  expect_workers(s, 2);
}

// Started on one CPU (as taskset, a cpuset or Kubernetes' static CPU
// manager would), the default --workers is 1, not the machine's core count.
// The server inherits the mask of the thread that starts it.
TEST_F(CliEnv, DefaultWorkersFollowTheCpuAffinity) {
  test_support::one_cpu_affinity one_cpu;
  if (!one_cpu.narrowed())
    GTEST_SKIP() << "this test may run on one CPU only: nothing to narrow";
  auto& s = start_own({});
  one_cpu.restore();
  expect_workers(s, 1);
}

// GET /health/live from `address`:`port` on a fresh connection: the status
// line, or "" when nothing accepted the connection.
std::string status_line_from(const std::string& address, unsigned short port) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address(address), port}, ec);
  if (ec)
    return "";
  const std::string request = "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  asio::write(socket, asio::buffer(request), ec);
  std::string response;
  asio::read(socket, asio::dynamic_buffer(response), ec); // until the server closes
  return response.substr(0, response.find("\r\n"));
}

// ":PORT" (README, chart, run-cluster) means every interface: the server
// answers on 127.0.0.2 too, which a 127.0.0.1-only socket would not.
TEST(Cli, ListenWithoutHostServesEveryInterface) {
  if (cluster_topology())
    GTEST_SKIP() << "embedded only: --listen is parsed the same in every role";
  const auto port = free_loopback_port();
  test_support::child_process p(binary(), {"--listen", ":" + std::to_string(port),
                                           "--log-level", "warn", "--workers", "1"});
  std::string on_loopback, on_other;
  const bool answered = wait_until(
    [&] {
      on_loopback = status_line_from("127.0.0.1", port);
      return !on_loopback.empty() || !p.running();
    },
    10s);
  ASSERT_TRUE(answered && p.running()) << "not serving on :" << port << "; log:\n"
                                       << p.log_tail();
  on_other = status_line_from("127.0.0.2", port);
  EXPECT_EQ(on_loopback, "HTTP/1.1 200 OK");
  EXPECT_EQ(on_other, "HTTP/1.1 200 OK") << "':PORT' did not bind every interface";
}

// A body of exactly `n` bytes for POST /task.
std::string body_of_size(std::size_t n) {
  const std::string head = R"({"payload":")", tail = R"("})";
  return head + std::string(n - head.size() - tail.size(), 'x') + tail;
}

TEST_F(CliEnv, PlainNumbersAndUnitsAreAccepted) {
  auto& s = start_own({"--max-body", "1024", "--result-ttl", "24h", "--drain-timeout", "5s",
                       "--retry-base-delay", "250ms"});
  EXPECT_EQ(s.client().post_json("/task", body_of_size(1024)).status, 202u);
  EXPECT_TRUE(is_error(s.client().post_json("/task", body_of_size(1025)), 413,
                       "payload_too_large"));
}

TEST_F(CliEnv, SizeFromEnvApplies) {
  auto& s = start_own({}, {{"TASKMESH_MAX_BODY", "1KiB"}});
  EXPECT_EQ(s.client().post_json("/task", body_of_size(1024)).status, 202u);
  EXPECT_TRUE(is_error(s.client().post_json("/task", body_of_size(1025)), 413,
                       "payload_too_large"));
}

} // namespace
} // namespace taskmesh::it
