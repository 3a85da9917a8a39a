// File: tests/support/taskmesh_server.hpp
// taskmesh_server: what an integration test talks to, ready to serve when
// the constructor returns, with a client for the test. Two topologies, the
// same API:
//   embedded  one taskmesh process (taskmesh_process) with the test's flags;
//   cluster   a taskmesh_cluster: its own nats-server and redis-server, one
//             --role api process (the one the client talks to) and two
//             --role worker processes, all with the test's flags.
// The topology comes from TASKMESH_IT_TOPOLOGY (unset or "embedded", or
// "cluster"), so the same test binary runs against both (CTest registers
// it twice, see tests/integration/CMakeLists.txt). Logs of every process
// appear in start-up failures and in stop_expecting_clean_exit()'s answer.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/taskmesh_cluster.hpp"
#include "tests/support/taskmesh_process.hpp"

namespace taskmesh::test_support {

enum class topology { embedded, cluster };

// TASKMESH_IT_TOPOLOGY of this (test) process: unset, "" or "embedded" ->
// embedded, "cluster" -> cluster; anything else throws std::runtime_error
// (a typo must not silently test the wrong thing).
topology topology_from_env();
const char* to_string(topology t);

class taskmesh_server {
public:
  // Embedded: runs `binary --listen 127.0.0.1:PORT --log-level warn <flags>`
  // (no --log-level of ours when `flags` has one) with `env` added. Cluster:
  // the same flags and env for the api and both workers. Throws
  // std::runtime_error, quoting the log tails, when a process exits or is
  // not ready within `ready_timeout`. A start that failed because a port
  // was taken meanwhile is retried on a fresh port.
  taskmesh_server(std::string binary, std::vector<std::string> flags = {}, env_list env = {},
                  std::chrono::milliseconds ready_timeout = std::chrono::seconds(20));
  taskmesh_server(topology t, std::string binary, std::vector<std::string> flags = {},
                  env_list env = {},
                  std::chrono::milliseconds ready_timeout = std::chrono::seconds(20));
  ~taskmesh_server();

  taskmesh_server(const taskmesh_server&) = delete;
  taskmesh_server& operator=(const taskmesh_server&) = delete;

  topology kind() const { return cluster_ ? topology::cluster : topology::embedded; }
  bool is_cluster() const { return cluster_ != nullptr; }
  // The cluster's pieces (to crash, pause, restart, or read a worker's
  // /metrics); nullptr in the embedded topology.
  taskmesh_cluster* cluster() { return cluster_.get(); }

  // The process the client talks to: the only one, or the api.
  taskmesh_process& front() { return cluster_ ? cluster_->api() : *single_; }
  const taskmesh_process& front() const { return cluster_ ? cluster_->api() : *single_; }

  unsigned short port() const { return front().port(); }
  // Every taskmesh process's port, the front one first (cluster: api, then
  // workers), e.g. to add up per-process /metrics.
  std::vector<unsigned short> ports();

  // The shared client (one keep-alive connection), and fresh ones for
  // threads or for tests that need a second connection.
  http_client& client() { return front().client(); }
  http_client new_client(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    return front().new_client(timeout);
  }

  // The front process (cluster: the api).
  child_process& process() { return front().process(); }
  // Embedded: the process's log tail. Cluster: every process's, with headers.
  std::string log_tail(std::size_t max_bytes = 4000) const;

  // SIGTERM, then wait up to `timeout` for the exit code (nullopt: still
  // running; the destructor will SIGKILL it). Cluster: every taskmesh
  // process (see taskmesh_cluster::stop), the servers stay up.
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // stop(), and "" when the exit code was 0; otherwise what happened plus
  // the log tail, for EXPECT_EQ(server.stop_expecting_clean_exit(), "").
  std::string stop_expecting_clean_exit(std::chrono::milliseconds timeout = std::chrono::seconds(15));

private:
  std::unique_ptr<taskmesh_process> single_;
  std::unique_ptr<taskmesh_cluster> cluster_;
};

} // namespace taskmesh::test_support
