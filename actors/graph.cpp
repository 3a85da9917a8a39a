// File: actors/graph.cpp
#include "actors/graph.hpp"

#include "actors/bridge.hpp"
#include "actors/dispatcher.hpp"
#include "actors/intake.hpp"
#include "actors/stats.hpp"
#include "actors/worker.hpp"

namespace taskmesh {

//   HTTP threads
//        |  try_push (lock-free, bounded)          reads: bridge -> store / stats
//        v
//   [intake_queue] --drain--> intake --admit--> store
//                               |
//                            dispatch
//                               v
//                          dispatcher --run batch--> worker x N --update--> store
//                               ^                       |  \--report--> stats
//                               +-------- done ---------+
//
// Spawned in reverse data-flow order so each actor gets the handles it sends to.
actor_graph spawn_graph(caf::actor_system& sys, const graph_config& config, graph_context ctx,
                        store_actor store) {
  actor_graph g;
  g.store = std::move(store);
  g.stats = sys.spawn(stats, config.stats, ctx.ops, ctx.queue, ctx.gauges, ctx.metrics);
  g.dispatcher = sys.spawn(dispatcher, config.dispatch, ctx.queue, ctx.gauges);
  for (std::uint32_t i = 0; i < config.workers; ++i) {
    auto w = sys.spawn(worker, ctx.ops, config.retry, g.store, g.stats, g.dispatcher);
    // A new worker starts by asking for work.
    caf::anon_send(g.dispatcher, done_atom::value, w, std::uint32_t{0}, true);
    g.workers.push_back(std::move(w));
  }
  g.intake = sys.spawn(intake, config.intake, ctx.queue, ctx.ops->size(), g.store, g.dispatcher,
                       g.stats);
  g.bridge = sys.spawn(bridge, g.store, g.stats);
  ctx.queue->on_wake([intake = g.intake] { caf::anon_send(intake, drain_atom::value); });
  return g;
}

void actor_graph::stop() {
  auto kill = [](const auto& a) { caf::anon_send_exit(a, caf::exit_reason::user_shutdown); };
  kill(intake);
  kill(bridge);
  kill(dispatcher);
  for (auto& w : workers)
    kill(w);
  kill(store);
  kill(stats);
}

} // namespace taskmesh
