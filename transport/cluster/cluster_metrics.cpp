// File: transport/cluster/cluster_metrics.cpp
#include "transport/cluster/cluster_metrics.hpp"

#include <string>

namespace taskmesh::cluster {
namespace {

// 100 us .. 10 s: a round trip on loopback up to a timeout.
const prometheus::Histogram::BucketBoundaries& round_trip_bounds() {
  static const prometheus::Histogram::BucketBoundaries bounds{
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
  return bounds;
}

} // namespace

cluster_metrics::cluster_metrics(prometheus::Registry& registry) {
  nats_publish_seconds = &prometheus::BuildHistogram()
                            .Name("taskmesh_nats_publish_duration_seconds")
                            .Help("One intake round's JetStream publish, until its last PubAck")
                            .Register(registry)
                            .Add({}, round_trip_bounds());
  auto& errors = prometheus::BuildCounter()
                   .Name("taskmesh_nats_publish_errors_total")
                   .Help("Messages JetStream did not store (full: the stream is at "
                         "--queue-capacity; failed: NATS down, no PubAck, refused)")
                   .Register(registry);
  nats_publish_full = &errors.Add({{"reason", "full"}});
  nats_publish_failed = &errors.Add({{"reason", "failed"}});
  nats_reconnects = &prometheus::BuildCounter()
                       .Name("taskmesh_nats_reconnects_total")
                       .Help("Times the NATS connection came back after a loss")
                       .Register(registry)
                       .Add({});
  nats_redeliveries = &prometheus::BuildCounter()
                         .Name("taskmesh_nats_redeliveries_total")
                         .Help("JetStream messages this pod took that had been delivered before")
                         .Register(registry)
                         .Add({});
  nats_pending_acks = &prometheus::BuildGauge()
                         .Name("taskmesh_nats_pending_acks")
                         .Help("JetStream messages this pod took and has not yet acked, NAKed "
                               "or terminated")
                         .Register(registry)
                         .Add({});
  valkey_call_seconds = &prometheus::BuildHistogram()
                           .Name("taskmesh_valkey_call_duration_seconds")
                           .Help("One Valkey store call (a pipelined round trip), by call")
                           .Register(registry);
  valkey_errors = &prometheus::BuildCounter()
                     .Name("taskmesh_valkey_errors_total")
                     .Help("Valkey store calls that failed, by call")
                     .Register(registry);
  valkey_reconnects = &prometheus::BuildCounter()
                         .Name("taskmesh_valkey_reconnects_total")
                         .Help("Times the Valkey store's connection was made again")
                         .Register(registry)
                         .Add({});
}

cluster_metrics::valkey_call cluster_metrics::call(std::string_view name) {
  const std::string label{name};
  return {&valkey_call_seconds->Add({{"call", label}}, round_trip_bounds()),
          &valkey_errors->Add({{"call", label}})};
}

} // namespace taskmesh::cluster
