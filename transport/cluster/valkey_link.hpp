// File: transport/cluster/valkey_link.hpp
// One Valkey connection of a cluster actor (the store, the admission) and
// what every call over it shares: its latency and errors
// (taskmesh_valkey_*), the reconnects the client made, health->valkey, and
// a log line once per outage, not per call. Not thread-safe, like the
// client: one per actor.
#pragma once

#include <chrono>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <caf/error.hpp>

#include "transport/cluster/cluster_health.hpp"
#include "transport/cluster/cluster_metrics.hpp"
#include "transport/valkey/client.hpp"
#include "transport/valkey/task_records.hpp"
#include "transport/valkey/valkey_config.hpp"

namespace taskmesh::cluster {

class valkey_link {
public:
  // Throws on bad records options (at start-up). `metrics` may be null.
  valkey_link(const valkey::valkey_config& connection, const valkey::records_options& records,
              dependency_health* health, cluster_metrics* metrics);
  valkey_link(const valkey_link&) = delete;
  valkey_link& operator=(const valkey_link&) = delete;

  // Makes these calls' series now, so a scrape sees zeros, not gaps.
  void declare(std::initializer_list<std::string_view> calls);

  // Runs one Valkey call (one round trip) named `call`, timing it into its
  // series and counting the reconnects the client made since the last one.
  template <class Call>
  auto timed(std::string_view call, Call&& run) {
    const auto began = std::chrono::steady_clock::now();
    auto r = run();
    observe(call, std::chrono::steady_clock::now() - began);
    return r;
  }

  // The call succeeded: Valkey is healthy (logged when it was not).
  void mark_ok();
  // The call failed: counts the error, marks health, logs once per outage
  // (and every data error). Returns what the requester gets: unavailable.
  caf::error fail(std::string_view call, const valkey::error& e);

  valkey::client& client() noexcept { return client_; }
  valkey::task_records& records() noexcept { return records_; }

private:
  void observe(std::string_view call, std::chrono::steady_clock::duration took);
  cluster_metrics::valkey_call& series(std::string_view call);

  valkey::valkey_config connection_;
  valkey::client client_;
  valkey::task_records records_;
  dependency_health* health_;
  cluster_metrics* metrics_;
  std::optional<bool> last_ok_; // the last call's outcome (none yet: unknown)
  std::map<std::string, cluster_metrics::valkey_call, std::less<>> series_;
  std::uint64_t reconnects_counted_ = 0;
};

} // namespace taskmesh::cluster
