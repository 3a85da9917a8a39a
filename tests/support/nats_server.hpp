// File: tests/support/nats_server.hpp
// nats_server: a real `nats-server -js` child on a free loopback port with
// its own temp store dir, accepting connections when the constructor
// returns. stop() + start() restart it on the same port and store (the
// durability tests); kill() is the crash. The destructor kills only this
// child (by PID, through child_process) and removes the store.
//
// Used by the cluster topology of taskmesh_server, tests/cluster and
// tests/transport/nats (which reaches it through its old header).
//
// The binary: $TASKMESH_NATS_SERVER, else `nats-server` on PATH, in
// /usr/sbin, /usr/local/sbin or /usr/local/bin. Not found -> the
// constructor throws with a message saying so (the tests then FAIL: the
// server is a declared test dependency, see scripts/install-deps.sh).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "tests/support/process.hpp"

namespace taskmesh::test_support {

// Absolute path of nats-server, or "" when not found.
std::string find_nats_server();

class nats_server {
public:
  // Listens on `host` (an IPv4 address of this machine; loopback unless a
  // test needs the server reachable from another network namespace).
  explicit nats_server(std::string host = "127.0.0.1");
  ~nats_server();

  nats_server(const nats_server&) = delete;
  nats_server& operator=(const nats_server&) = delete;

  unsigned short port() const { return port_; }
  std::string url() const { return "nats://" + host_ + ":" + std::to_string(port_); }
  const std::string& store_dir() const { return store_dir_; }
  bool running() const { return process_ != nullptr; }

  // SIGTERM (a clean shutdown flushes the file store) and wait for the exit.
  void stop();
  // SIGKILL and reap: a crash. The store keeps what reached the disk.
  void kill();
  // Start again on the same port and store dir; waits until it accepts.
  void start();
  // SIGSTOP / SIGCONT: a server that keeps its sockets open but answers
  // nothing (what a hung or partitioned server looks like to a client).
  void freeze();
  void thaw();
  // The server's output so far, for failure messages.
  std::string log_tail(std::size_t max_bytes = 4000) const;

private:
  bool start_once(std::chrono::milliseconds timeout);

  std::string binary_;
  std::string host_;
  std::string store_dir_;
  unsigned short port_ = 0;
  std::unique_ptr<child_process> process_;
  std::string last_log_;
};

} // namespace taskmesh::test_support
