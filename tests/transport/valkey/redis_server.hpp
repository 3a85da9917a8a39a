// File: tests/transport/valkey/redis_server.hpp
// redis_server: a real redis-server (or valkey-server) for one test, on a
// free loopback port, with its own data dir; ready (answers PING) when the
// constructor returns. It can be killed and started again on the same port
// (reconnect tests) or paused with SIGSTOP (timeout tests). Only this child
// is ever signalled, by PID (test_support::child_process).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/process.hpp"
#include "transport/valkey/redis_handle.hpp"
#include "transport/valkey/valkey_config.hpp"

namespace taskmesh::valkey::testing {

// $REDIS_SERVER, else redis-server or valkey-server from PATH. Throws
// std::runtime_error naming what to install when none is found.
std::string find_redis_server();

class redis_server {
public:
  struct options {
    std::string password;  // --requirepass
    bool appendonly = false; // AOF, so data survives kill + restart
  };

  // Throws std::runtime_error (with the server's log tail) if the binary is
  // missing or the server does not answer within 10 s.
  redis_server();
  explicit redis_server(options o);
  ~redis_server();

  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  unsigned short port() const { return port_; }
  // 127.0.0.1:port, the password, and test-sized timeouts.
  valkey_config config() const;

  void kill();    // SIGKILL and reap; the port stays this server's to reuse
  void restart(); // after kill(): the same port and data dir, waits for PING
  void pause();   // SIGSTOP: connections stay open, nothing is answered
  void resume();  // SIGCONT
  bool running() const { return child_ != nullptr; }

  // One command on a fresh connection of its own (AUTH as needed), for
  // checks that must not go through the client under test. Throws when the
  // server cannot be reached.
  reply_ptr admin(const std::vector<std::string>& args) const;
  long long admin_integer(const std::vector<std::string>& args) const;

  std::string log_tail() const;

private:
  void start();
  bool answers_ping() const;

  options options_;
  std::string binary_;
  std::string dir_;
  unsigned short port_ = 0;
  std::unique_ptr<test_support::child_process> child_;
};

} // namespace taskmesh::valkey::testing
