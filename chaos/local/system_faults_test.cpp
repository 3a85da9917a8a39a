// File: chaos/local/system_faults_test.cpp
// Faults of the machine under steady load (see scenario.hpp): a worker in
// its own network namespace cut from NATS and Valkey (nftables drops every
// packet) for a while, then healed; CPU starvation with stress-ng on both
// cores. Each says SKIP with the reason where the machine cannot do it.
#include "chaos/local/netns.hpp"
#include "chaos/local/scenario.hpp"

#include <csignal>

#include <boost/json/parse.hpp>

#include "tests/support/process.hpp"
#include "tests/support/wait.hpp"

namespace taskmesh::chaos_local {
namespace {

using test_support::child_process;
using test_support::wait_until;

// Live workers as the api's /stats counts them (heartbeats in Valkey).
std::int64_t live_workers(taskmesh_cluster& k) {
  try {
    const auto body = k.api().client().get("/stats").json();
    return body.as_object().at("workers").as_int64();
  } catch (const std::exception&) {
    return -1;
  }
}

TEST_F(ChaosScenario, WorkerPartitionedFromNatsAndValkey) {
  std::string why_not;
  auto ns = network_namespace::create(why_not);
  if (!ns) GTEST_SKIP() << why_not;

  // Servers listen on the host end of the veth pair, so the worker inside
  // reaches them only through it; everyone else uses the same address.
  auto options = base_options();
  options.workers = 1;
  options.server_host = ns->host_address();
  auto& k = start(options);
  auto args = ns->exec_prefix();
  args.push_back(TASKMESH_BINARY);
  for (auto& f : k.role_flags("worker"))
    args.push_back(f);
  for (const char* f : {"--listen", "127.0.0.1:8081", "--worker-id"})
    args.push_back(f);
  args.push_back(k.subject_prefix() + "-partitioned");
  child_process inside(ns->ip_binary(), args);
  ASSERT_TRUE(wait_until([&] { return live_workers(k) == 2 || !inside.running(); }, 30s))
    << "the worker in the namespace did not join: " << inside.log_tail();
  ASSERT_TRUE(inside.running()) << inside.log_tail();

  run_with_fault("partition a worker from NATS and Valkey", current_form().window(6s, 30s),
                 {[&] { ns->partition(); }, [&] { ns->heal(); }});
  EXPECT_TRUE(inside.running()) << "the partitioned worker must survive the partition\n"
                                << inside.log_tail();
  inside.signal(SIGTERM);
  inside.wait_exit(15s);
}

TEST_F(ChaosScenario, CpuStarvedByStressNg) {
  const std::string stress = find_program("stress-ng");
  if (stress.empty()) GTEST_SKIP() << "stress-ng not found: run scripts/install-deps.sh";
  auto& k = start(base_options());
  (void)k;
  const auto window = current_form().window(5s, 30s);
  std::unique_ptr<child_process> burner;
  run_with_fault(
    "CPU starvation (stress-ng on both cores)", window,
    {[&] {
       // --timeout bounds it even if this test dies before the heal.
       const auto limit = std::chrono::duration_cast<std::chrono::seconds>(window).count() + 30;
       burner = std::make_unique<child_process>(
         stress, std::vector<std::string>{"--cpu", "2", "--cpu-load", "100", "--timeout",
                                          std::to_string(limit) + "s", "--quiet"});
     },
     [&] {
       burner->signal(SIGTERM); // stress-ng stops its workers on SIGTERM
       EXPECT_TRUE(burner->wait_exit(15s).has_value()) << burner->log_tail();
     }});
}

} // namespace
} // namespace taskmesh::chaos_local
