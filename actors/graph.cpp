// File: actors/graph.cpp
#include "actors/graph.hpp"

#include "actors/bridge.hpp"
#include "actors/cluster_stats.hpp"
#include "actors/dispatcher.hpp"
#include "actors/intake.hpp"
#include "actors/stats.hpp"
#include "actors/worker.hpp"

namespace taskmesh {
namespace {

// Reports `actor` stopping on its own; a stop() (user_shutdown) or a normal
// end is not reported.
template <class Handle>
void watch(const Handle& actor, std::string_view role, const actor_down_callback& on_down) {
  if (!actor || !on_down)
    return;
  actor->attach_functor([role, on_down](const caf::error& reason) {
    if (reason && reason != caf::exit_reason::user_shutdown)
      on_down(role, reason);
  });
}

void watch_all(const actor_graph& g, const actor_down_callback& on_down) {
  watch(g.intake, "intake", on_down);
  watch(g.dispatcher, "dispatcher", on_down);
  watch(g.work_source, "work source", on_down);
  if (caf::actor_cast<caf::actor_addr>(g.admission) != caf::actor_cast<caf::actor_addr>(g.store))
    watch(g.admission, "admission", on_down); // embedded: the store is the admission too
  for (const auto& w : g.workers)
    watch(w, "worker", on_down);
  watch(g.store, "store", on_down);
  watch(g.stats, "stats", on_down);
  watch(g.cluster_stats, "cluster stats", on_down);
  watch(g.bridge, "bridge", on_down);
}

} // namespace

//   HTTP threads
//        |  try_push (lock-free, bounded)          reads: bridge -> store / stats
//        v
//   [intake_queue] --drain--> intake --admit--> store (records, gives the tasks back)
//                               |
//                            dispatch
//                               v
//                          dispatcher --run batch--> worker x N --update--> store
//                               ^                       |  \--report--> stats
//                               +-------- done ---------+
//
// Cluster mode swaps the seams:  intake --admit--> Valkey + JetStream (cluster_admission)
//   (api pod)  ...  dispatcher --feed(credit)--> JetStream feeder  (worker pod)
//                   <------------- tasks ---------+
//
// Spawned in reverse data-flow order so each actor gets the handles it sends to.
actor_graph spawn_graph(caf::actor_system& sys, const graph_config& config, graph_context ctx,
                        graph_seams seams) {
  actor_graph g;
  g.store = std::move(seams.store);
  // Cluster mode: the Valkey/JetStream reads behind /stats block, so they
  // run in an actor (and thread) of their own; stats only asks.
  if (config.cluster.view)
    g.cluster_stats = sys.spawn<caf::detached>(cluster_stats, config.cluster);
  auto stats_cfg = config.stats;
  stats_cfg.share = g.cluster_stats && config.cluster.share; // a worker pod's window goes there
  g.stats = sys.spawn(stats, stats_cfg, ctx.ops, ctx.queue, ctx.gauges, ctx.metrics, g.cluster_stats);
  // One dispatcher where tasks run: fed by intake with the tasks the
  // admission seam gives back (embedded), or asking its work source (cluster
  // worker pods; those tasks never pass the intake queue).
  g.work_source = seams.workers ? std::move(seams.work_source) : work_source_actor{};
  if (seams.workers) {
    g.dispatcher = sys.spawn(dispatcher, config.dispatch, g.work_source ? nullptr : ctx.queue,
                             ctx.gauges, g.work_source);
    for (std::uint32_t i = 0; i < config.workers; ++i) {
      auto w = sys.spawn(worker, ctx.ops, config.retry, config.op_limits, g.store, g.stats, g.dispatcher);
      // A new worker starts by asking for work.
      caf::anon_send(g.dispatcher, done_atom::value, w, std::uint32_t{0}, true);
      g.workers.push_back(std::move(w));
    }
  }
  if (seams.intake) {
    g.admission = seams.admission;
    // Tasks the admission seam gives back (embedded) run on the dispatcher;
    // one fed by a work source takes none from intake.
    const auto fed_by_intake = g.work_source ? dispatcher_actor{} : g.dispatcher;
    g.intake = sys.spawn(intake, config.intake, ctx.queue, ctx.ops->size(), g.admission,
                         fed_by_intake, g.stats);
    ctx.queue->on_wake([intake = g.intake] { caf::anon_send(intake, drain_atom::value); });
  }
  g.bridge = sys.spawn(bridge, g.store, g.stats);
  watch_all(g, ctx.on_actor_down);
  return g;
}

void actor_graph::stop() {
  auto kill = [](const auto& a) { caf::anon_send_exit(a, caf::exit_reason::user_shutdown); };
  if (intake)
    kill(intake);
  kill(bridge);
  if (dispatcher)
    kill(dispatcher);
  if (work_source)
    kill(work_source);
  if (admission)
    kill(admission);
  for (auto& w : workers)
    kill(w);
  kill(store);
  kill(stats);
  if (cluster_stats)
    kill(cluster_stats);
}

} // namespace taskmesh
