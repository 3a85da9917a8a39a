// File: chaos/local/cpu_starvation_test.cpp
// CPU starvation under steady load (see scenario.hpp): stress-ng burns both
// cores for the fault window. Its own executable so CTest can run it with
// nothing beside it (RUN_SERIAL): other tests' timing must not pay for it.
// SKIP with the reason where stress-ng is missing.
#include "chaos/local/scenario.hpp"

#include <csignal>

#include "tests/support/process.hpp"

namespace taskmesh::chaos_local {
namespace {

using test_support::child_process;

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
