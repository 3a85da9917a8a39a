// File: tests/support/redis_server.hpp
// redis_server: a real redis-server (or valkey-server) for one test, on a
// free loopback port, with its own data dir; ready (answers PING) when the
// constructor returns. It can be stopped (SIGTERM: a clean shutdown that
// flushes the AOF), killed (SIGKILL) and started again on the same port and
// data dir, or paused with SIGSTOP. Only this child is ever signalled, by
// PID (child_process). Speaks just enough RESP over a raw socket to PING, so
// the support library needs no hiredis; tests/transport/valkey wraps it
// with hiredis-based admin commands.
#pragma once

#include <memory>
#include <string>

#include "tests/support/process.hpp"

namespace taskmesh::test_support {

// $REDIS_SERVER, else redis-server or valkey-server from PATH. Throws
// std::runtime_error naming what to install when none is found.
std::string find_redis_server();

// What redis-server keeps across a restart.
enum class redis_persistence {
  none,       // nothing: a restart empties it
  aof,        // AOF, `appendfsync everysec` (Valkey's default): all survives a
              // SIGTERM; a SIGKILL can lose the last second or two of
              // acknowledged writes, since Redis answers while it postpones
              // the AOF write behind a slow fsync
  aof_always, // AOF, `appendfsync always`: what it acknowledged survives a SIGKILL
};

struct redis_server_options {
  std::string password;                                // --requirepass
  redis_persistence persistence = redis_persistence::none;
  std::string host = "127.0.0.1"; // --bind: an IPv4 address of this machine
  unsigned short replica_of = 0;  // non-zero: a replica of the server on host:replica_of
};

class redis_server {
public:
  // Throws std::runtime_error (with the server's log tail) if the binary is
  // missing or the server does not answer within 10 s.
  redis_server();
  explicit redis_server(redis_server_options o);
  ~redis_server();

  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  unsigned short port() const { return port_; }
  // redis://[:password@]127.0.0.1:port, as taskmesh --valkey takes it.
  std::string url() const;
  const std::string& dir() const { return dir_; }
  const redis_server_options& options() const { return options_; }

  void stop();    // SIGTERM (SIGCONT first) and reap; the port stays ours to reuse
  void kill();    // SIGKILL and reap
  void start();   // after stop()/kill(): the same port and data dir, waits for PING
  void restart(); // kill() + start()
  void pause();   // SIGSTOP: connections stay open, nothing is answered
  void resume();  // SIGCONT
  bool running() const { return child_ != nullptr; }

  // PING on a fresh connection answers PONG (or NOAUTH: up, wants a password).
  bool answers_ping() const;

  std::string log_tail(std::size_t max_bytes = 4000) const;

private:
  void launch();

  redis_server_options options_;
  std::string binary_;
  std::string dir_;
  unsigned short port_ = 0;
  std::unique_ptr<child_process> child_;
  std::string last_log_;
};

} // namespace taskmesh::test_support
