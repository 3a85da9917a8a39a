// File: tests/transport/valkey/redis_server.hpp
// redis_server: a real redis-server (or valkey-server) for one test, on a
// free loopback port, with its own data dir; ready (answers PING) when the
// constructor returns. It can be killed and started again on the same port
// (reconnect tests) or paused with SIGSTOP (timeout tests). Only this child
// is ever signalled, by PID.
//
// The process handling lives in tests/support/redis_server.hpp (shared with
// the cluster topology of the integration tests and tests/cluster); this
// wrapper adds what needs hiredis and the Valkey layer: a valkey_config for
// the client under test and admin commands on a connection of their own.
#pragma once

#include <string>
#include <vector>

#include "tests/support/redis_server.hpp"
#include "transport/valkey/redis_handle.hpp"
#include "transport/valkey/valkey_config.hpp"

namespace taskmesh::valkey::testing {

using test_support::find_redis_server;

class redis_server {
public:
  using options = test_support::redis_server_options; // password, persistence

  // Throws std::runtime_error (with the server's log tail) if the binary is
  // missing or the server does not answer within 10 s.
  redis_server();
  explicit redis_server(options o);

  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  unsigned short port() const { return server_.port(); }
  // 127.0.0.1:port, the password, and test-sized timeouts.
  valkey_config config() const;

  void kill() { server_.kill(); }       // SIGKILL and reap; the port stays ours
  void restart() { server_.restart(); } // after kill(): same port and data dir, waits for PING
  void pause() { server_.pause(); }     // SIGSTOP: connections stay open, nothing is answered
  void resume() { server_.resume(); }   // SIGCONT
  bool running() const { return server_.running(); }

  // One command on a fresh connection of its own (AUTH as needed), for
  // checks that must not go through the client under test. Throws when the
  // server cannot be reached.
  reply_ptr admin(const std::vector<std::string>& args) const;
  long long admin_integer(const std::vector<std::string>& args) const;

  std::string log_tail() const { return server_.log_tail(); }

  test_support::redis_server& process() { return server_; }

private:
  test_support::redis_server server_;
};

} // namespace taskmesh::valkey::testing
