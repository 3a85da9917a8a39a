// File: transport/valkey/pod_stats.hpp
// What every worker pod shares in Valkey so that GET /stats on any pod can
// show cluster-wide worker utilization and latency percentiles:
//
//   P:pods            HASH  worker id -> "<busy_ns> <capacity_ns> <unix_ms>"
//                           (the pod's last one-second window: time its
//                           workers spent running ops, and window x workers)
//   P:lat:queue_wait  LIST  the most recent `window` samples cluster-wide,
//   P:lat:processing  LIST  in microseconds (RPUSH, then LTRIM)
//   P:lat:queue_wait:n, P:lat:processing:n   samples ever shared (INCRBY)
//
// One pipelined round trip per call, no script: nothing here needs to be
// atomic (a reader may see one pod's window and not yet another's). A pod's
// window is stamped with its own wall clock: pods' clocks are assumed to
// agree to well within `fresh`.
// Every call BLOCKS, bounded as client.hpp describes. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "transport/valkey/client.hpp"

namespace taskmesh::valkey {

struct pod_window {
  std::uint64_t busy_ns = 0;     // workers' time running ops in the window
  std::uint64_t capacity_ns = 0; // window length x workers
  std::vector<std::uint32_t> queue_wait_us; // new samples since the last share
  std::vector<std::uint32_t> processing_us;
};

struct shared_pod_stats {
  std::uint32_t pods = 0;          // pods whose window is fresh
  std::uint64_t busy_ns = 0;       // summed over those pods
  std::uint64_t capacity_ns = 0;
  std::vector<std::uint32_t> queue_wait_us; // the cluster's most recent samples
  std::vector<std::uint32_t> processing_us;
  std::uint64_t queue_wait_samples = 0;     // ever shared
  std::uint64_t processing_samples = 0;
};

struct pod_stats_options {
  std::string prefix = "taskmesh";
  std::size_t window = 8192;                   // samples kept per list
  std::chrono::milliseconds fresh{5'000};      // an older pod window is left out
  std::chrono::milliseconds forget{3'600'000}; // ... and deleted after this long
};

class pod_stats {
public:
  pod_stats(client& c, pod_stats_options options);

  result<void> share(std::string_view worker_id, const pod_window& w);
  result<shared_pod_stats> read();

private:
  client& client_;
  pod_stats_options o_;
  std::string pods_key_, queue_wait_key_, processing_key_, queue_wait_n_, processing_n_;
};

} // namespace taskmesh::valkey
