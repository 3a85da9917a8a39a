// File: chaos/local/system_faults_test.cpp
// A fault of the network under steady load (see scenario.hpp): a worker in
// its own network namespace cut from NATS and Valkey (nftables drops every
// packet) for a while, then healed. SKIP with the reason where the machine
// cannot make namespaces. (CPU starvation: cpu_starvation_test.cpp.)
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

} // namespace
} // namespace taskmesh::chaos_local
