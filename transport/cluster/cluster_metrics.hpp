// File: transport/cluster/cluster_metrics.hpp
// The Prometheus series of this pod's conversations with NATS and Valkey:
// what talks to a server owns its metrics (latency, errors, reconnects), so
// the admission (its sink and Valkey calls), the feeder's receipts and the
// Valkey store update these, and
// wiring registers them once at start-up in cluster mode. Per pod, like all
// of /metrics: sum over pods for the cluster.
//
//   taskmesh_nats_publish_duration_seconds  api: one intake round's publish until its last PubAck
//   taskmesh_nats_publish_errors_total      api: messages JetStream did not store, by reason
//                                           (full: --queue-capacity; failed: down, timeout, refused)
//   taskmesh_nats_reconnects_total          the NATS connection came back after a loss
//   taskmesh_nats_redeliveries_total        worker: messages taken that had been delivered before
//   taskmesh_nats_pending_acks              worker: messages taken and not yet acked, NAKed or
//                                           terminated
//   taskmesh_valkey_call_duration_seconds   one admission or store call (a pipelined script round
//                                           trip), by call
//   taskmesh_valkey_errors_total            admission and store calls that failed, by call
//   taskmesh_valkey_reconnects_total        a Valkey connection of this pod was made again
#pragma once

#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace taskmesh::cluster {

struct cluster_metrics {
  prometheus::Histogram* nats_publish_seconds;
  prometheus::Counter* nats_publish_full;
  prometheus::Counter* nats_publish_failed;
  prometheus::Counter* nats_reconnects;
  prometheus::Counter* nats_redeliveries;
  prometheus::Gauge* nats_pending_acks;
  prometheus::Family<prometheus::Histogram>* valkey_call_seconds;
  prometheus::Family<prometheus::Counter>* valkey_errors;
  prometheus::Counter* valkey_reconnects;

  explicit cluster_metrics(prometheus::Registry& registry);

  // The series of one Valkey call (claim, admit, update, get, ping, ...);
  // looked up once per call name by its valkey_link.
  struct valkey_call {
    prometheus::Histogram* seconds;
    prometheus::Counter* errors;
  };
  valkey_call call(std::string_view name);
};

} // namespace taskmesh::cluster
