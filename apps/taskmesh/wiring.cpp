// File: apps/taskmesh/wiring.cpp
#include "apps/taskmesh/wiring.hpp"

#include "actors/memory_store.hpp"

namespace taskmesh::app {

graph_config graph_config_from(const config& c) {
  graph_config g;
  g.workers = c.workers;
  g.dispatch.max_in_flight = c.max_in_flight;
  g.retry.base_delay = c.retry_base_delay;
  g.stats.mode = "embedded";
  g.stats.workers = c.workers;
  return g;
}

actor_graph build_graph(caf::actor_system& sys, const config& c, graph_context ctx) {
  store_config store;
  store.max_records = c.max_records;
  store.result_ttl = c.result_ttl;
  auto records = sys.spawn(memory_store, store, ctx.gauges);
  return spawn_graph(sys, graph_config_from(c), ctx, std::move(records));
}

} // namespace taskmesh::app
