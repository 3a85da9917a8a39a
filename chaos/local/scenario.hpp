// File: chaos/local/scenario.hpp
// The frame every local chaos scenario shares: a real cluster on loopback
// (nats-server with its file store, redis-server with AOF, api and worker
// processes: tests/support/taskmesh_cluster.hpp), taskmesh-verify's logic
// driving open-loop load at it in a thread, and one fault injected when the
// verifier enters phase=fault and healed when it enters phase=recover
// (waits on the verifier's phase signal, never on sleeps). Every scenario
// then asserts lost == 0, executed twice == 0, wrong results == 0 and
// prints its figures.
//
// Two forms, one code path: the short form (default; what make test runs)
// keeps each scenario to seconds at 40 tasks/s; the long form
// (TASKMESH_CHAOS_FORM=long, chaos/local/run-long.sh) runs the durations the
// issue names at 150 tasks/s and appends each report to
// $TASKMESH_CHAOS_RESULTS (JSON lines) for docs/chaos.md.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "chaos/verify/verifier.hpp"
#include "tests/support/taskmesh_cluster.hpp"

namespace taskmesh::chaos_local {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using test_support::cluster_options;
using test_support::taskmesh_cluster;

struct form {
  bool is_long = false;
  double rate = 40;
  milliseconds steady = 2s;
  milliseconds recover = 3s;
  milliseconds ack_wait = 2s;
  milliseconds settle = 90s;
  // The fault window: `short_form` in make test, `long_form` for reports.
  milliseconds window(milliseconds short_form, milliseconds long_form) const {
    return is_long ? long_form : short_form;
  }
};

// From TASKMESH_CHAOS_FORM ("long" or unset/"short"; anything else throws).
const form& current_form();

struct fault {
  std::function<void()> inject; // at phase=fault
  std::function<void()> heal;   // at phase=recover (may be empty)
};

class ChaosScenario : public ::testing::Test {
protected:
  // Options every scenario starts from: one api, two workers, AOF on,
  // --ack-wait of the form, --log-level warn.
  static cluster_options base_options();

  taskmesh_cluster& start(cluster_options options);
  taskmesh_cluster& cluster() { return *cluster_; }

  // Runs the verifier against every api of the cluster with the fault
  // window `window`, injecting and healing `f` on its phase changes;
  // asserts the invariants, prints the figures, records the long form's
  // report. Returns the figures for scenario-specific checks.
  verify::summary run_with_fault(const std::string& scenario, milliseconds window, fault f);

  void TearDown() override;

private:
  std::unique_ptr<taskmesh_cluster> cluster_;
};

// Absolute path of a program on PATH or in /usr/sbin, /sbin; "" if none.
std::string find_program(const std::string& name);

} // namespace taskmesh::chaos_local
