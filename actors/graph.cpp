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
// Cluster mode swaps the seams:  intake --dispatch--> JetStream publisher
//   (api pod)  ...  JetStream feeder --run batch--> worker x N  (worker pod)
//
// Spawned in reverse data-flow order so each actor gets the handles it sends to.
actor_graph spawn_graph(caf::actor_system& sys, const graph_config& config, graph_context ctx,
                        graph_seams seams) {
  actor_graph g;
  g.store = std::move(seams.store);
  g.stats = seams.blocking_stats
              ? sys.spawn<caf::detached>(stats, config.stats, ctx.ops, ctx.queue, ctx.gauges,
                                         ctx.metrics)
              : sys.spawn(stats, config.stats, ctx.ops, ctx.queue, ctx.gauges, ctx.metrics);
  const bool needs_local = (seams.intake && !seams.sink) || (seams.workers && !seams.work_source);
  dispatcher_actor local;
  if (needs_local)
    local = sys.spawn(dispatcher, config.dispatch, ctx.queue, ctx.gauges);
  g.sink = seams.sink ? seams.sink : worker_sink_actor{local};
  if (seams.workers) {
    g.dispatcher = seams.work_source ? seams.work_source : local;
    for (std::uint32_t i = 0; i < config.workers; ++i) {
      auto w = sys.spawn(worker, ctx.ops, config.retry, config.op_limits, g.store, g.stats, g.dispatcher);
      // A new worker starts by asking for work.
      caf::anon_send(g.dispatcher, done_atom::value, w, std::uint32_t{0}, true);
      g.workers.push_back(std::move(w));
    }
  } else {
    g.dispatcher = local;
  }
  if (seams.intake) {
    auto intake_cfg = config.intake;
    intake_cfg.run_claims = !seams.sink; // tasks stay here: a cancel can claim them
    g.intake = sys.spawn(intake, intake_cfg, ctx.queue, ctx.ops->size(), g.store, g.sink,
                         g.stats);
    ctx.queue->on_wake([intake = g.intake] { caf::anon_send(intake, drain_atom::value); });
  }
  g.bridge = sys.spawn(bridge, g.store, g.stats);
  return g;
}

void actor_graph::stop() {
  auto kill = [](const auto& a) { caf::anon_send_exit(a, caf::exit_reason::user_shutdown); };
  if (intake)
    kill(intake);
  kill(bridge);
  if (dispatcher)
    kill(dispatcher);
  if (sink)
    kill(sink);
  for (auto& w : workers)
    kill(w);
  kill(store);
  kill(stats);
}

} // namespace taskmesh
