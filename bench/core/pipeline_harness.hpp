// File: bench/core/pipeline_harness.hpp
// The in-process taskmesh pipeline without HTTP, for the core benchmark and
// the memory probe. It assembles the graph exactly as apps/taskmesh does
// (main.cpp's actor_system_config, wiring.cpp's memory_store + spawn_graph,
// real CAF scheduler); bench code then plays the HTTP threads: it pushes
// submissions into the intake queue and waits until the tasks are terminal.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/all.hpp>
#include <prometheus/registry.h>

#include "actors/graph.hpp"
#include "actors/intake_queue.hpp"
#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "actors/pipeline.hpp"
#include "actors/task_metrics.hpp"

namespace taskmesh::bench {

// Defaults are the binary's (apps/taskmesh/config.hpp) unless a bench says otherwise.
struct harness_config {
  std::uint32_t workers = 1;
  std::size_t producers = 1;              // threads that will push (sizes the queue)
  std::uint64_t queue_capacity = 100'000;
  std::uint32_t max_in_flight = 10'000;
  std::uint64_t max_records = 1'000'000;
};

// What the HTTP layer would turn into 202s (or 503s); shared by all waiters
// of a run so completions cost one atomic increment, like a posted callback.
struct completion_counter {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> refused{0};
};

class counting_waiter final : public submission_waiter {
public:
  explicit counting_waiter(completion_counter& c) : counter_(c) {}
  void complete(submission_result result) noexcept override;

private:
  completion_counter& counter_;
};

// `count` submissions of `tasks_each` tasks of op `op`, each with a fresh
// id, the given serialized payload and delay, and a counting waiter.
std::vector<submission> make_submissions(op_index op, std::string_view payload,
                                         std::uint32_t delay_ms, std::size_t count,
                                         std::size_t tasks_each, completion_counter& counter);

// Pushes every submission, retrying (with a yield) while the queue is full,
// as an HTTP thread would not, but a benchmark must. Returns refusals seen.
std::uint64_t push_all(intake_queue& queue, std::vector<submission>& subs);

class pipeline_harness {
public:
  explicit pipeline_harness(const harness_config& config);
  ~pipeline_harness();
  pipeline_harness(const pipeline_harness&) = delete;
  pipeline_harness& operator=(const pipeline_harness&) = delete;

  intake_queue& queue() noexcept { return queue_; }
  const pipeline_gauges& gauges() const noexcept { return gauges_; }
  const op_registry& ops() const noexcept { return ops_; }
  op_index op(std::string_view name) const; // throws if unknown

  // Blocks until stats has counted `terminal_total` terminal tasks since
  // start and the store has applied every update sent before that point.
  // Cheap atomics are polled; the stats actor is only asked once they say idle.
  void wait_until_terminal(std::uint64_t terminal_total);

  // Round trips through an actor's mailbox (blocking; bench threads only).
  stats_snapshot snapshot();
  void sync_store();

private:
  // Destruction runs bottom-up: the graph handles and the scoped actor go,
  // then the actor system waits for its actors, and only then do the
  // objects the actors point into (queue, gauges, metrics) go.
  op_registry ops_;
  intake_queue queue_;
  pipeline_gauges gauges_;
  prometheus::Registry registry_;
  task_metrics metrics_;
  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  actor_graph graph_;
  std::optional<caf::scoped_actor> self_;
};

} // namespace taskmesh::bench
