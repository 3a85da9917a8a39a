// File: transport/cluster/cluster_health.hpp
// Whether the external services are reachable right now, as the transport
// actors see them. Written by those actors (and nats.c's connection
// callbacks), read by /health and /health/ready: a process is not ready
// while either dependency it uses is down, and becomes ready again by
// itself once they are back.
#pragma once

#include <atomic>

namespace taskmesh::cluster {

struct dependency_health {
  bool uses_nats = true;
  bool uses_valkey = true;
  std::atomic<bool> nats{false};
  std::atomic<bool> valkey{false};

  bool ready() const noexcept {
    return (!uses_nats || nats.load()) && (!uses_valkey || valkey.load());
  }
};

} // namespace taskmesh::cluster
