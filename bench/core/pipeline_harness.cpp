// File: bench/core/pipeline_harness.cpp
#include "bench/core/pipeline_harness.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "actors/memory_store.hpp"

namespace taskmesh::bench {
namespace {

// Same settings as apps/taskmesh/main.cpp actor_config(): keep in step, or
// the numbers stop describing the binary.
caf::actor_system_config& configure(caf::actor_system_config& cfg, std::uint32_t workers) {
  cfg.add_message_types<caf::id_block::taskmesh>();
  cfg.add_error_category(caf::atom("taskmesh"),
                         [](std::uint8_t code, caf::atom_value, const caf::message&) {
                           return "taskmesh: " + to_string(static_cast<errc>(code));
                         });
  cfg.set("scheduler.max-threads",
          std::max(2u, std::min(workers, std::thread::hardware_concurrency())));
  return cfg;
}

// What apps/taskmesh/wiring.cpp makes of the graph slice for embedded mode.
graph_config graph_config_for(const harness_config& c) {
  graph_config g;
  g.workers = c.workers;
  g.dispatch.max_in_flight = c.max_in_flight;
  g.stats.mode = "embedded";
  g.stats.workers = c.workers;
  return g;
}

} // namespace

void counting_waiter::complete(submission_result result) noexcept {
  auto& n = result.outcome == submission_result::kind::accepted ? counter_.accepted
                                                                 : counter_.refused;
  n.fetch_add(1, std::memory_order_release);
}

std::vector<submission> make_submissions(op_index op, std::string_view payload,
                                         std::uint32_t delay_ms, std::size_t count,
                                         std::size_t tasks_each, completion_counter& counter) {
  std::vector<submission> subs(count);
  for (auto& s : subs) {
    s.tasks.resize(tasks_each);
    for (auto& t : s.tasks) {
      t.id = task_id::generate();
      t.op = op;
      t.delay_ms = delay_ms;
      t.submitted_at = now_us(); // the codec stamps it at parse time
      t.payload.assign(payload);
    }
    s.waiter = std::make_unique<counting_waiter>(counter);
  }
  return subs;
}

std::uint64_t push_all(intake_queue& queue, std::vector<submission>& subs) {
  std::uint64_t refusals = 0;
  for (auto& s : subs) {
    while (!queue.try_push(s)) {
      ++refusals;
      std::this_thread::yield();
    }
  }
  return refusals;
}

pipeline_harness::pipeline_harness(const harness_config& config)
  : ops_(op_registry::builtin()),
    queue_(config.queue_capacity, config.producers),
    metrics_(registry_, ops_),
    sys_(configure(cfg_, config.workers)) {
  store_config store;
  store.max_records = config.max_records;
  auto records = sys_.spawn(memory_store, store, &gauges_);
  graph_ = spawn_graph(sys_, graph_config_for(config), {&ops_, &queue_, &gauges_, &metrics_},
                       graph_seams{records, records, {}, true, true});
  self_.emplace(sys_);
}

pipeline_harness::~pipeline_harness() {
  self_.reset();
  graph_.stop();
  // The wake callback holds a handle to intake; drop it while the system lives.
  queue_.on_wake([] {});
}

op_index pipeline_harness::op(std::string_view name) const {
  op_index index = 0;
  if (ops_.find(name, &index) == nullptr)
    throw std::invalid_argument("unknown op: " + std::string(name));
  return index;
}

stats_snapshot pipeline_harness::snapshot() {
  stats_snapshot out;
  (*self_)
    ->request(graph_.stats, caf::infinite, get_atom::value)
    .receive([&](stats_snapshot& s) { out = std::move(s); },
             [&](caf::error& e) { throw std::runtime_error(sys_.render(e)); });
  return out;
}

void pipeline_harness::sync_store() {
  // Any reply will do (not_found is expected): it comes after every message
  // already in the store's mailbox.
  (*self_)
    ->request(graph_.store, caf::infinite, get_atom::value, task_id{})
    .receive([](task_record&) {}, [](caf::error&) {});
}

void pipeline_harness::wait_until_terminal(std::uint64_t terminal_total) {
  using namespace std::chrono_literals;
  for (;;) {
    // backlog and in_flight are two loads, so "both zero" can be a moment
    // between a release and the gauge update: the snapshot settles it.
    if (queue_.backlog() == 0 && gauges_.in_flight.load(std::memory_order_relaxed) == 0) {
      const auto s = snapshot();
      if (s.succeeded + s.failed + s.dead >= terminal_total) {
        sync_store();
        return;
      }
    }
    // Coarse on purpose: a tighter poll is thousands of wake-ups a second
    // taken from the actors on a small machine; 0.5 ms is <1% of an iteration.
    std::this_thread::sleep_for(500us);
  }
}

} // namespace taskmesh::bench
