// File: chaos/local/scenario.cpp
#include "chaos/local/scenario.hpp"

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <boost/json/serialize.hpp>

namespace taskmesh::chaos_local {

const form& current_form() {
  static const form f = [] {
    const char* env = std::getenv("TASKMESH_CHAOS_FORM");
    const std::string v = env ? env : "";
    form out;
    if (v.empty() || v == "short") return out;
    if (v != "long") throw std::runtime_error("TASKMESH_CHAOS_FORM must be short or long, not " + v);
    out.is_long = true;
    out.rate = 150;
    out.steady = 10s;
    out.recover = 20s;
    out.ack_wait = 5s;
    out.settle = 240s;
    return out;
  }();
  return f;
}

cluster_options ChaosScenario::base_options() {
  cluster_options o;
  o.apis = 1;
  o.workers = 2;
  // Valkey as docs/deploy.md asks for it: what it acknowledged survives its
  // crash. With everysec, redis-server restarted by SIGKILL under a
  // neighbour's fsyncs lost 1-28 of 280 tasks in 8 of 15 runs (docs/chaos.md).
  o.redis_persistence = test_support::redis_persistence::aof_always;
  o.flags = {"--ack-wait", std::to_string(current_form().ack_wait.count()) + "ms", "--log-level",
             "warn"};
  return o;
}

taskmesh_cluster& ChaosScenario::start(cluster_options options) {
  cluster_ = std::make_unique<taskmesh_cluster>(TASKMESH_BINARY, std::move(options));
  return *cluster_;
}

void ChaosScenario::TearDown() {
  if (HasFailure() && cluster_)
    std::cerr << "---- log tails (prefix " << cluster_->subject_prefix() << ") ----\n"
              << cluster_->log_tail() << "---- end of logs ----\n";
}

verify::summary ChaosScenario::run_with_fault(const std::string& scenario, milliseconds window,
                                              fault f) {
  const form& fm = current_form();
  verify::verify_config cfg;
  cfg.apis.clear();
  for (std::size_t i = 0; i < cluster_->api_count(); ++i)
    cfg.apis.push_back({"127.0.0.1", std::to_string(cluster_->api(i).port())});
  cfg.rate = fm.rate;
  cfg.connections = 8;
  cfg.steady = fm.steady;
  cfg.fault = window;
  cfg.recover = fm.recover;
  cfg.request_timeout = 2s;
  cfg.retry_for = 120s;
  cfg.settle_timeout = fm.settle;
  cfg.valkey_url = cluster_->valkey_url();
  cfg.key_prefix = cluster_->subject_prefix();
  cfg.exclusive = true;

  verify::verifier v(cfg);
  std::ostringstream progress;
  verify::run_result result;
  std::exception_ptr failure;
  std::jthread runner([&] {
    try {
      result = v.run(progress);
    } catch (...) {
      failure = std::current_exception();
      v.signal().enter(verify::phase::done);
    }
  });
  bool injected = false;
  if (v.signal().await(verify::phase::fault, fm.steady + 60s) &&
      v.signal().current() == verify::phase::fault) {
    f.inject();
    injected = true;
  }
  if (injected && f.heal && v.signal().await(verify::phase::recover, window + 120s)) f.heal();
  runner.join();
  std::cout << progress.str();
  if (failure) std::rethrow_exception(failure);

  const auto& s = result.figures;
  std::cout << "[" << scenario << "] " << verify::one_line(s) << "\n"
            << boost::json::serialize(result.json) << std::endl;
  if (const char* path = std::getenv("TASKMESH_CHAOS_RESULTS"); path && *path) {
    auto row = result.json;
    row["scenario"] = scenario;
    row["form"] = fm.is_long ? "long" : "short";
    std::ofstream(path, std::ios::app) << boost::json::serialize(row) << "\n";
  }
  EXPECT_GT(s.accepted, 0u);
  EXPECT_EQ(s.lost, 0u) << verify::one_line(s);
  EXPECT_EQ(s.executed_twice, 0u) << verify::one_line(s);
  EXPECT_EQ(s.wrong_results, 0u) << verify::one_line(s);
  EXPECT_EQ(s.counters_error, "") << "the per-task counters must be read";
  EXPECT_TRUE(result.passed()) << verify::one_line(s);
  return s;
}

std::string find_program(const std::string& name) {
  std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
  dirs += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::stringstream in(dirs);
  for (std::string d; std::getline(in, d, ':');)
    if (!d.empty() && ::access((d + "/" + name).c_str(), X_OK) == 0) return d + "/" + name;
  return {};
}

} // namespace taskmesh::chaos_local
