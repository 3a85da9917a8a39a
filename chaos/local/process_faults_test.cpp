// File: chaos/local/process_faults_test.cpp
// Faults of taskmesh's own processes under steady load (see scenario.hpp):
// kill -9 a worker mid-batch; SIGSTOP a worker past AckWait, then SIGCONT
// (the zombie finishes its stale batch: its results must not count again);
// kill -9 the api while 202s are in flight (a second api takes the
// retries, as a Service would); kill -9 both workers at once; a rolling
// restart of every worker, one by one (SIGTERM, drain, start).
#include "chaos/local/scenario.hpp"

namespace taskmesh::chaos_local {
namespace {

TEST_F(ChaosScenario, WorkerKilledMidBatch) {
  auto& k = start(base_options());
  run_with_fault("kill -9 one worker", current_form().window(2s, 10s),
                 {[&] { k.worker(0).kill(); }, [&] { k.replace_worker(0); }});
}

TEST_F(ChaosScenario, WorkerStoppedPastAckWaitThenContinued) {
  auto& k = start(base_options());
  // The window is twice AckWait: the stopped worker's tasks are redelivered
  // to the other one before it wakes up with them.
  const auto window = 2 * current_form().ack_wait + 1s;
  run_with_fault("SIGSTOP one worker past AckWait", window,
                 {[&] { k.worker(0).pause(); }, [&] { k.worker(0).resume(); }});
}

TEST_F(ChaosScenario, ApiKilledWhile202sAreInFlight) {
  auto options = base_options();
  options.apis = 2;
  auto& k = start(options);
  run_with_fault("kill -9 the api", current_form().window(2s, 10s),
                 {[&] { k.api(0).kill(); }, [&] { k.replace_api(0); }});
}

TEST_F(ChaosScenario, BothWorkersKilledAtOnce) {
  auto& k = start(base_options());
  run_with_fault("kill -9 both workers", current_form().window(3s, 15s),
                 {[&] {
                    k.worker(0).kill();
                    k.worker(1).kill();
                  },
                  [&] {
                    k.replace_worker(0);
                    k.replace_worker(1);
                  }});
}

TEST_F(ChaosScenario, RollingRestartOfEveryWorker) {
  auto& k = start(base_options());
  run_with_fault("rolling restart of the workers", current_form().window(4s, 20s),
                 {[&] {
                    for (std::size_t i = 0; i < k.worker_count(); ++i) {
                      EXPECT_EQ(k.worker(i).stop_expecting_clean_exit(), "") << "worker " << i;
                      k.replace_worker(i);
                    }
                  },
                  {}});
}

} // namespace
} // namespace taskmesh::chaos_local
