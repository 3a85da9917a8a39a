// File: tests/apps/config_test.cpp
// The configuration table (apps/taskmesh/config.cpp): every row has a flag,
// an environment variable and help, none twice; --help lists every flag and
// variable; values land in the slice their part receives, and what one flag
// decides for several slices is filled in by the parse. The binary's
// command line as a whole (exit codes, messages): tests/integration/cli_test.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "apps/taskmesh/config.hpp"
#include "tests/support/cpu_affinity.hpp"

namespace taskmesh::app {
namespace {

using namespace std::chrono_literals;

struct parsed {
  std::optional<int> exit_code;
  std::string out;
  config c;
};

parsed parse(std::vector<std::string> args) {
  args.insert(args.begin(), "taskmesh");
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  parsed p;
  testing::internal::CaptureStdout();
  p.exit_code = parse_config(static_cast<int>(argv.size()), argv.data(), p.c);
  p.out = testing::internal::GetCapturedStdout();
  return p;
}

TEST(ConfigTable, EveryRowHasAFlagAnEnvironmentVariableAndHelp) {
  const auto rows = settings();
  ASSERT_GT(rows.size(), 40u);
  std::set<std::string> flags, envs;
  for (const auto& r : rows) {
    EXPECT_EQ(r.flag.rfind("--", 0), 0u) << r.flag;
    EXPECT_GT(r.flag.size(), 2u);
    EXPECT_EQ(r.env.rfind("TASKMESH_", 0), 0u) << r.flag << ": " << r.env;
    EXPECT_FALSE(r.help.empty()) << r.flag;
    EXPECT_TRUE(flags.insert(r.flag).second) << r.flag << " twice";
    EXPECT_TRUE(envs.insert(r.env).second) << r.env << " twice";
  }
}

TEST(ConfigTable, HelpListsEveryRow) {
  const auto p = parse({"--help"});
  ASSERT_EQ(p.exit_code, 0);
  for (const auto& r : settings()) {
    EXPECT_NE(p.out.find(r.flag + " "), std::string::npos) << r.flag << " not in --help";
    EXPECT_NE(p.out.find("(Env:" + r.env + ")"), std::string::npos) << r.env << " not in --help";
    EXPECT_NE(p.out.find(r.help.substr(0, 40)), std::string::npos) << r.flag << "'s help";
  }
}

// Under taskset, a cpuset or Kubernetes' static CPU manager a process may
// run on fewer CPUs than the machine has: the defaults follow the mask
// (a thread's mask is what the process it starts inherits).
TEST(ConfigTable, DefaultWorkersAndIoThreadsFollowTheCpuAffinity) {
  test_support::one_cpu_affinity one_cpu;
  EXPECT_EQ(usable_cores(), one_cpu.narrowed() ? 1u : static_cast<unsigned>(one_cpu.cpus_before()));
  if (!one_cpu.narrowed())
    GTEST_SKIP() << "this process may run on one CPU only: nothing to narrow";
  const auto p = parse({});
  one_cpu.restore();
  EXPECT_EQ(usable_cores(), static_cast<unsigned>(one_cpu.cpus_before()));
  ASSERT_FALSE(p.exit_code);
  EXPECT_EQ(p.c.graph.workers, 1u);
  EXPECT_EQ(p.c.io_threads, 1u);
}

TEST(ConfigTable, DefaultsAreTheSlicesDefaults) {
  const auto p = parse({});
  ASSERT_FALSE(p.exit_code);
  EXPECT_EQ(p.c.listen_host, "0.0.0.0");
  EXPECT_EQ(p.c.listen_port, 8080);
  EXPECT_EQ(p.c.graph.workers, usable_cores());
  EXPECT_EQ(p.c.io_threads, std::max(1u, usable_cores() / 2));
  EXPECT_EQ(p.c.http.limits.max_body, std::size_t{1} << 20);
  EXPECT_EQ(p.c.store.result_ttl, 24h);
  EXPECT_TRUE(p.c.nats.connection.servers.empty()) << "embedded mode";
  EXPECT_FALSE(p.c.cluster.enabled());
  EXPECT_FALSE(p.c.events.keep_unwatched);
}

TEST(ConfigTable, ValuesLandInTheSliceTheirPartReceives) {
  const auto p = parse({"--listen", ":9000", "--workers", "3", "--max-in-flight", "9",
                        "--max-body", "2MiB", "--read-timeout", "5s", "--op-timeout", "2s",
                        "--max-result-bytes", "1KiB", "--max-streams", "7", "--stream-heartbeat",
                        "1s", "--max-connections-per-ip", "4", "--result-ttl", "1h",
                        "--retry-base-delay", "250ms"});
  ASSERT_FALSE(p.exit_code) << p.out;
  const auto& c = p.c;
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_EQ(c.graph.workers, 3u);
  EXPECT_EQ(c.graph.dispatch.max_in_flight, 9u);
  EXPECT_EQ(c.graph.op_limits.timeout, 2s);
  EXPECT_EQ(c.graph.op_limits.max_result_bytes, 1024u);
  EXPECT_EQ(c.graph.retry.base_delay, 250ms);
  EXPECT_EQ(c.http.limits.max_body, std::size_t{2} << 20);
  EXPECT_EQ(c.http.limits.read_timeout, 5s);
  EXPECT_EQ(c.http.limits.max_connections_per_ip, 4u);
  EXPECT_EQ(c.http.stream_heartbeat, 1s);
  EXPECT_EQ(c.events.max_streams, 7u);
  EXPECT_EQ(c.store.result_ttl, 1h);
}

// One flag, several slices: filled in by the parse, not by the parts.
TEST(ConfigTable, TheClusterSlicesAreFilledIn) {
  const auto p = parse({"--nats", "nats://n:4222", "--valkey", "redis://v:6379", "--role", "api",
                        "--subject-prefix", "tm", "--fetch-batch", "8", "--ack-wait", "3s",
                        "--queue-capacity", "70", "--nats-token", "t"});
  ASSERT_FALSE(p.exit_code) << p.out;
  const auto& n = p.c.nats;
  EXPECT_EQ(n.connection.servers, "nats://n:4222");
  EXPECT_EQ(n.connection.name, "taskmesh-api");
  EXPECT_EQ(n.connection.token, "t");
  EXPECT_FALSE(n.connection.tls.enabled);
  EXPECT_EQ(n.stream.subject_prefix, "tm");
  EXPECT_EQ(n.stream.max_msgs, 70);
  EXPECT_EQ(n.consumer.durable_prefix, "tm");
  EXPECT_EQ(n.consumer.max_batch, 8);
  EXPECT_EQ(n.consumer.ack_wait, 3s);
  EXPECT_EQ(p.c.graph.retry.keepalive, 1s);
  EXPECT_TRUE(p.c.cluster.enabled());
  EXPECT_EQ(p.c.cluster.role, process_role::api);
  EXPECT_TRUE(p.c.events.keep_unwatched);
}

// Only a process that takes submissions sends intake rounds at once with
// one round in flight, gathering small ones for up to 1 ms (see finish() in
// config.cpp); a worker pod and embedded mode keep nats.c's flusher, two
// rounds and no gathering.
TEST(ConfigTable, ApiPodsSendEachRoundAtOnceWithOneRoundInFlight) {
  const std::vector<std::string> cluster{"--nats", "nats://n:4222", "--valkey", "redis://v:6379",
                                         "--role"};
  for (const auto* role : {"api", "all"}) {
    auto args = cluster;
    args.emplace_back(role);
    const auto p = parse(args);
    ASSERT_FALSE(p.exit_code) << p.out;
    EXPECT_TRUE(p.c.nats.connection.send_asap) << role;
    EXPECT_EQ(p.c.graph.intake.max_rounds_in_flight, 1u) << role;
    EXPECT_EQ(p.c.graph.intake.gather_wait, 1ms) << role;
  }
  auto worker = cluster;
  worker.emplace_back("worker");
  const auto w = parse(worker);
  ASSERT_FALSE(w.exit_code) << w.out;
  EXPECT_FALSE(w.c.nats.connection.send_asap);
  const auto embedded = parse({});
  ASSERT_FALSE(embedded.exit_code);
  EXPECT_FALSE(embedded.c.nats.connection.send_asap);
  EXPECT_EQ(embedded.c.graph.intake.max_rounds_in_flight, intake_config{}.max_rounds_in_flight);
  EXPECT_EQ(embedded.c.graph.intake.gather_wait.count(), 0) << "embedded rounds go at once";
}

} // namespace
} // namespace taskmesh::app
