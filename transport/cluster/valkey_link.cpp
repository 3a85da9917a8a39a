// File: transport/cluster/valkey_link.cpp
#include "transport/cluster/valkey_link.hpp"

#include <spdlog/spdlog.h>

#include "actors/messages.hpp"

namespace taskmesh::cluster {
namespace {

// A reply that did not decode (a bad stored record): Valkey itself answered,
// so readiness follows the connection. Anything else (down, timeout, an error
// reply such as -OOM or -READONLY) means Valkey cannot serve us: not ready
// until a call or the next sweep succeeds.
bool is_data_error(const valkey::error& e) {
  return e.code == valkey::errc::bad_record || e.code == valkey::errc::unexpected_reply;
}

} // namespace

valkey_link::valkey_link(const valkey::valkey_config& connection,
                         const valkey::records_options& records, dependency_health* health,
                         cluster_metrics* metrics)
    : connection_(connection), client_(connection), records_(client_, records), health_(health),
      metrics_(metrics) {}

void valkey_link::declare(std::initializer_list<std::string_view> calls) {
  if (metrics_)
    for (auto call : calls)
      series(call);
}

cluster_metrics::valkey_call& valkey_link::series(std::string_view call) {
  auto it = series_.find(call);
  if (it == series_.end())
    it = series_.emplace(std::string(call), metrics_->call(call)).first;
  return it->second;
}

void valkey_link::observe(std::string_view call, std::chrono::steady_clock::duration took) {
  if (!metrics_)
    return;
  series(call).seconds->Observe(std::chrono::duration<double>(took).count());
  const auto connects = client_.connects();
  const auto reconnects = connects > 0 ? connects - 1 : 0; // the first connect is none
  if (reconnects > reconnects_counted_) {
    metrics_->valkey_reconnects->Increment(static_cast<double>(reconnects - reconnects_counted_));
    reconnects_counted_ = reconnects;
  }
}

void valkey_link::mark_ok() {
  health_->valkey.store(true);
  if (last_ok_ == false)
    spdlog::info("valkey {}: reachable again", valkey::redacted_url(connection_));
  last_ok_ = true;
}

caf::error valkey_link::fail(std::string_view call, const valkey::error& e) {
  if (metrics_)
    series(call).errors->Increment();
  const auto url = valkey::redacted_url(connection_);
  if (is_data_error(e)) {
    health_->valkey.store(client_.healthy());
    spdlog::warn("valkey {}: {}: {}", url, call, e.message);
  } else {
    health_->valkey.store(false);
    if (last_ok_ != false)
      spdlog::warn("valkey {}: {} failed, not ready until it answers: {} ({})", url, call,
                   e.message, e.code.message());
    last_ok_ = false;
  }
  return caf::make_error(errc::unavailable);
}

} // namespace taskmesh::cluster
