// File: transport/valkey/client.hpp
// A blocking Valkey client over one hiredis connection: pipelined batches,
// AUTH/SELECT on every (re)connect, reconnect with bounded exponential
// backoff, and a healthy() flag for readiness.
//
// EVERY CALL BLOCKS the calling thread. Use it only from a detached actor
// (or another thread of its own), never from an I/O thread or a scheduler
// thread. Each call is bounded:
//   - TCP connect: connect_timeout per address the host resolves to (use
//     an IP address: name resolution itself has no timeout);
//   - each socket write and each socket read: command_timeout (a batch whose
//     replies keep arriving is not cut off; a server that stops answering
//     is, after command_timeout);
//   - while down, calls before the next scheduled reconnect attempt fail at
//     once with errc::not_connected (no sleeping inside the client).
// Not thread-safe: one client per thread/actor. healthy() alone may be read
// from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "transport/valkey/command.hpp"
#include "transport/valkey/redis_handle.hpp"
#include "transport/valkey/valkey_config.hpp"
#include "transport/valkey/valkey_error.hpp"

namespace taskmesh::valkey {

// Whether a batch may be sent a second time after the connection turned out
// to be dead. Only for commands whose second run changes nothing (all of
// task_records' scripts are): the first run may or may not have happened.
enum class retry { never, once_if_connection_lost };

class client {
public:
  explicit client(valkey_config config); // does not connect yet
  ~client();

  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Connects now unless connected: TCP connect, then AUTH and SELECT as
  // configured, in one round trip. Respects the backoff schedule.
  result<void> connect();

  // Sends all commands, then reads all replies: one round trip. The result
  // holds one reply per command, in order; a command the server refused
  // shows up as an error reply (see reply_error()) and does not fail the
  // others. A connection-level failure (timeout, reset, closed) fails the
  // whole batch and drops the connection; some of the commands may have
  // run. With retry::once_if_connection_lost, a batch that found the
  // connection dead (e.g. after a server restart) reconnects at once and
  // is sent once more.
  result<std::vector<reply_ptr>> pipeline(std::span<const command> commands,
                                          retry policy = retry::never);

  // One command, one round trip. Error replies are returned as errors.
  result<reply_ptr> execute(const command& cmd, retry policy = retry::never);

  result<void> ping();

  // Connected, and the last call on the connection succeeded. Lock-free.
  bool healthy() const noexcept { return healthy_.load(std::memory_order_relaxed); }

  // Successful connects so far (the first one included); for metrics.
  std::uint64_t connects() const noexcept { return connects_; }

  // Closes the connection; the next call reconnects.
  void disconnect();

  const valkey_config& config() const noexcept { return config_; }

private:
  result<void> ensure_connected();
  result<void> connect_now();
  result<std::vector<reply_ptr>> exchange(redisContext* c, std::span<const command> commands);
  void drop(const error& e);
  void schedule_retry(const error& e);

  valkey_config config_;
  context_ptr ctx_;
  std::atomic<bool> healthy_{false};
  std::uint64_t connects_ = 0;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_;
  error last_error_;
  // Reused between batches: a pipeline's commands, RESP-encoded.
  std::string wire_;
};

} // namespace taskmesh::valkey
