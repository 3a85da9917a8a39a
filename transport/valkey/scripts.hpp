// File: transport/valkey/scripts.hpp
// The Lua scripts that make task-record writes atomic, idempotent and
// ordered (sources and their rules in scripts.cpp), and how they are run:
// EVALSHA with the SHA1s from one SCRIPT LOAD, falling back to EVAL for
// calls answered NOSCRIPT.
//
// Keys are built inside the scripts from a prefix passed in ARGV (numkeys
// is 0). That is fine on a standalone or primary/replica Valkey, which this
// layer targets; it does not route for a sharded Valkey Cluster.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "transport/valkey/client.hpp"
#include "transport/valkey/command.hpp"

namespace taskmesh::valkey {

enum class script_id : std::size_t {
  claim,         // ids for idempotency keys, before publishing (duplicates found here)
  admit,         // queued records of published tasks (submitted counters)
  update,        // forward-only state changes (terminal and retried counters)
  counters,      // every counter, global and per op, in one reply
  count_live,    // trims an expiry-scored ZSET, returns its size (workers)
  heartbeat,     // worker key with PX + workers ZSET, returns live workers
  forget_worker, // removes a worker at shutdown
  cancel,        // queued or delayed -> cancelled (cancelled counters)
  list_live,     // trims an expiry-scored ZSET, returns its first members
  count_records, // live records plus finished ones not yet expired
};
inline constexpr std::size_t script_count = 10;

std::string_view script_name(script_id id);
std::string_view script_source(script_id id);

class script_set {
public:
  bool loaded() const noexcept { return loaded_; }

  // SCRIPT LOAD of every script, one round trip; keeps their SHA1s.
  // Blocking (bounded like any client call). Once loaded, returns at once.
  result<void> load(client& c);

  // "EVALSHA <sha1> 0" ("EVAL <source> 0" before load()), ready for ARGV.
  command call(script_id id) const;

  // Sends the calls (made by call()) in one pipeline and returns one reply
  // each, error replies included. Calls answered NOSCRIPT (the server lost
  // its script cache: restart, failover, SCRIPT FLUSH) are sent again as
  // EVAL, which caches the script again: one more round trip, only then.
  // All scripts are idempotent, so a batch that found the connection dead
  // is resent once (retry::once_if_connection_lost).
  result<std::vector<reply_ptr>> run(client& c, std::span<const command> calls) const;

private:
  std::array<std::string, script_count> sha_;
  bool loaded_ = false;
};

} // namespace taskmesh::valkey
