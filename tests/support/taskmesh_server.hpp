// File: tests/support/taskmesh_server.hpp
// taskmesh_server: the real taskmesh binary on a free loopback port, ready
// to serve (GET /health/ready said 200) when the constructor returns, with
// a client for the test. Its log goes to a file whose tail appears in every
// start-up failure and in stop_expecting_clean_exit()'s answer.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

namespace taskmesh::test_support {

class taskmesh_server {
public:
  // Runs `binary --listen 127.0.0.1:PORT --log-level warn <flags>` (no
  // --log-level of ours when `flags` has one) with `env` added. Throws
  // std::runtime_error, quoting the log tail, when the process exits or is
  // not ready within `ready_timeout`. A start that failed because the port
  // was taken meanwhile is retried on a fresh port.
  taskmesh_server(std::string binary, std::vector<std::string> flags = {}, env_list env = {},
                  std::chrono::milliseconds ready_timeout = std::chrono::seconds(20));
  ~taskmesh_server();

  taskmesh_server(const taskmesh_server&) = delete;
  taskmesh_server& operator=(const taskmesh_server&) = delete;

  unsigned short port() const { return port_; }

  // The shared client (one keep-alive connection), and fresh ones for
  // threads or for tests that need a second connection.
  http_client& client() { return *client_; }
  http_client new_client(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    return http_client(port_, timeout);
  }

  child_process& process() { return *process_; }
  std::string log_tail(std::size_t max_bytes = 4000) const { return process_->log_tail(max_bytes); }

  // SIGTERM, then wait up to `timeout` for the exit code (nullopt: still
  // running; the destructor will SIGKILL it).
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // stop(), and "" when the exit code was 0; otherwise what happened plus
  // the log tail, for EXPECT_EQ(server.stop_expecting_clean_exit(), "").
  std::string stop_expecting_clean_exit(std::chrono::milliseconds timeout = std::chrono::seconds(15));

private:
  bool start_once(const std::string& binary, const std::vector<std::string>& flags,
                  const env_list& env, std::chrono::milliseconds ready_timeout);

  unsigned short port_ = 0;
  std::unique_ptr<child_process> process_;
  std::unique_ptr<http_client> client_;
};

} // namespace taskmesh::test_support
