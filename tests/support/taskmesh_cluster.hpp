// File: tests/support/taskmesh_cluster.hpp
// taskmesh_cluster: taskmesh in cluster mode on loopback, every piece a real
// process this test started (and the only ones it ever signals, by PID):
//
//   nats-server -js (own store dir)   redis-server (own dir, --save "")
//          \                                /
//     taskmesh --role api  (x apis)    taskmesh --role worker  (x workers)
//
// All taskmesh processes get the same --nats, --valkey and a --subject-prefix
// unique to this cluster instance, plus the caller's flags; workers also get
// a --worker-id. The constructor returns when every process answers 200 on
// /health/ready. Tests reach each piece to crash, pause or restart it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/nats_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/taskmesh_process.hpp"

namespace taskmesh::test_support {

struct cluster_options {
  std::vector<std::string> flags; // given to every taskmesh process (api and worker)
  env_list env;                   // likewise
  std::size_t apis = 1;
  std::size_t workers = 2;
  // What survives a Valkey restart.
  test_support::redis_persistence redis_persistence = test_support::redis_persistence::none;
  std::string server_host = "127.0.0.1"; // where nats-server and redis-server listen
  std::chrono::milliseconds ready_timeout = std::chrono::seconds(20);
};

class taskmesh_cluster {
public:
  // Starts NATS and Valkey, then the apis and workers side by side. Throws
  // std::runtime_error quoting the logs when a piece does not come up.
  taskmesh_cluster(std::string binary, cluster_options options = {});
  // Stops taskmesh processes first (SIGKILL), then the servers.
  ~taskmesh_cluster();

  taskmesh_cluster(const taskmesh_cluster&) = delete;
  taskmesh_cluster& operator=(const taskmesh_cluster&) = delete;

  nats_server& nats() { return *nats_; }
  redis_server& redis() { return *redis_; }

  std::size_t api_count() const { return apis_.size(); }
  std::size_t worker_count() const { return workers_.size(); }
  taskmesh_process& api(std::size_t i = 0) { return *apis_.at(i); }
  const taskmesh_process& api(std::size_t i = 0) const { return *apis_.at(i); }
  taskmesh_process& worker(std::size_t i) { return *workers_.at(i); }
  // Every taskmesh process: apis first, then workers.
  std::vector<taskmesh_process*> processes();

  // One more api / worker with the cluster's flags plus `extra`, ready when
  // it returns.
  taskmesh_process& add_api(std::vector<std::string> extra = {});
  taskmesh_process& add_worker(std::vector<std::string> extra = {});
  // Puts a fresh api / worker in slot i (after a kill); the old process's
  // log stays available to log_tail().
  taskmesh_process& replace_api(std::size_t i);
  taskmesh_process& replace_worker(std::size_t i);

  const std::string& subject_prefix() const { return prefix_; }
  std::string stream_name() const;      // --stream-name from the flags, else TASKS
  std::string dead_subject() const { return prefix_ + ".tasks.dead"; }
  std::string nats_url() const { return nats_->url(); }
  std::string valkey_url() const { return redis_->url(); }

  // The flags a process of `role` gets: --role, --nats, --valkey,
  // --subject-prefix (unless the caller's flags set one), the caller's.
  std::vector<std::string> role_flags(std::string_view role) const;

  // SIGTERM every taskmesh process still running (apis first, so nothing
  // new arrives while workers drain) and wait up to `timeout` for each.
  // nullopt when one is still running; else the first non-zero exit code,
  // or 0.
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  std::string stop_expecting_clean_exit(std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // Log tails of every process, each under a header naming it and its port.
  std::string log_tail(std::size_t per_process = 3000) const;

private:
  std::unique_ptr<taskmesh_process> spawn(std::string_view role, std::vector<std::string> extra,
                                          bool wait_ready);

  std::string binary_;
  cluster_options options_;
  std::string prefix_;
  std::size_t spawned_workers_ = 0;
  std::unique_ptr<nats_server> nats_;
  std::unique_ptr<redis_server> redis_;
  std::vector<std::unique_ptr<taskmesh_process>> apis_;
  std::vector<std::unique_ptr<taskmesh_process>> workers_;
  std::vector<std::unique_ptr<taskmesh_process>> retired_; // replaced, kept for their logs
};

} // namespace taskmesh::test_support
