// File: tests/support/taskmesh_process.hpp
// taskmesh_process: one real taskmesh process on a free loopback port, ready
// to serve (GET /health/ready said 200) once started, with a client for the
// test. The building block of taskmesh_server (embedded: one of these) and
// taskmesh_cluster (an api and workers). Its log goes to a file whose tail
// appears in every start-up failure and in stop_expecting_clean_exit().
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

namespace taskmesh::test_support {

class taskmesh_process {
public:
  // Runs `binary --listen 127.0.0.1:PORT --log-level warn <flags>` (no
  // --log-level of ours when `flags` has one) with `env` added. With
  // `wait_ready` (the default) returns once /health/ready says 200 and
  // throws std::runtime_error, quoting the log tail, when the process exits
  // or is not ready within `ready_timeout`; a start that failed because the
  // port was taken meanwhile is retried on a fresh port. Without it, the
  // process is launched and the caller must call await_ready() (so several
  // processes can start side by side).
  taskmesh_process(std::string binary, std::vector<std::string> flags, env_list env = {},
                   std::chrono::milliseconds ready_timeout = std::chrono::seconds(20),
                   std::string name = "taskmesh", bool wait_ready = true);
  ~taskmesh_process();

  taskmesh_process(const taskmesh_process&) = delete;
  taskmesh_process& operator=(const taskmesh_process&) = delete;

  // See the constructor. Idempotent once ready.
  void await_ready();

  const std::string& name() const { return name_; }
  unsigned short port() const { return port_; }

  // The shared client (one keep-alive connection), and fresh ones for
  // threads or for tests that need a second connection.
  http_client& client() { return *client_; }
  http_client new_client(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    return http_client(port_, timeout);
  }

  child_process& process() { return *process_; }
  bool running() { return process_->running(); }
  std::string log_tail(std::size_t max_bytes = 4000) const { return process_->log_tail(max_bytes); }

  // GET /health/ready on a fresh connection: its status, or 0 when nothing
  // answered within `timeout` (not listening, stopped, killed).
  unsigned ready_status(std::chrono::milliseconds timeout = std::chrono::seconds(1)) const;

  // SIGTERM, then wait up to `timeout` for the exit code (nullopt: still
  // running; the destructor will SIGKILL it).
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // stop(), and "" when the exit code was 0; otherwise what happened plus
  // the log tail, for EXPECT_EQ(p.stop_expecting_clean_exit(), "").
  std::string stop_expecting_clean_exit(std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // kill -9 and reap: a crash.
  void kill();
  // SIGSTOP / SIGCONT: a process that holds its connections but does nothing.
  void pause();
  void resume();

private:
  void launch();
  bool wait_once(); // false: the port was taken, relaunch

  std::string binary_;
  std::vector<std::string> flags_;
  env_list env_;
  std::chrono::milliseconds ready_timeout_;
  std::string name_;
  unsigned short port_ = 0;
  std::vector<std::string> args_;
  std::unique_ptr<child_process> process_;
  std::unique_ptr<http_client> client_;
};

} // namespace taskmesh::test_support
