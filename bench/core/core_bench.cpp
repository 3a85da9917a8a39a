// File: bench/core/core_bench.cpp
// taskmesh-bench-core: tasks/s through the in-process pipeline without HTTP:
//   producers --try_push--> intake_queue -> intake -> store (admit)
//     -> dispatcher -> workers (echo) -> store (update) + stats
// One actor system per benchmark run (Google Benchmark calls the function a
// few times to size the run); each iteration pushes kTasksPerIteration
// pre-built echo tasks from 1-2 producer threads and is timed by hand from
// the start signal to "every task terminal, store caught up", so building
// tasks, starting threads and tearing down are outside the number.
//
// Args: {workers, tasks per submission, producer threads}. The store starts
// empty each run and fills towards max_records (1M, the default), so longer
// runs include eviction as the binary would in steady state.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <latch>
#include <thread>

#include "bench/core/pipeline_harness.hpp"

namespace {

using namespace taskmesh;
using namespace taskmesh::bench;

constexpr std::size_t kTasksPerIteration = 131'072; // divisible by 64 x 2 producers
constexpr std::string_view kPayload = "\"hello\"";  // serialized JSON, as the codec leaves it

// CPU time of the whole process (all threads), in seconds.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void BM_CorePath(benchmark::State& state) {
  const auto workers = static_cast<std::uint32_t>(state.range(0));
  const auto tasks_each = static_cast<std::size_t>(state.range(1));
  const auto producers = static_cast<std::size_t>(state.range(2));
  const std::size_t subs_per_producer = kTasksPerIteration / tasks_each / producers;

  harness_config config;
  config.workers = workers;
  config.producers = producers;
  config.queue_capacity = 2 * kTasksPerIteration; // never the bottleneck
  pipeline_harness h{config};
  const op_index echo = h.op("echo");

  completion_counter counter;
  std::uint64_t terminal = 0;
  std::uint64_t refusals = 0;
  double cpu_seconds = 0;
  for (auto _ : state) {
    std::vector<std::vector<submission>> work;
    for (std::size_t p = 0; p < producers; ++p)
      work.push_back(make_submissions(echo, kPayload, 0, subs_per_producer, tasks_each, counter));

    std::latch go{1};
    std::atomic<std::uint64_t> refused{0};
    std::vector<std::thread> threads;
    for (auto& subs : work)
      threads.emplace_back([&h, &go, &refused, &subs] {
        go.wait();
        refused.fetch_add(push_all(h.queue(), subs), std::memory_order_relaxed);
      });

    const auto began = std::chrono::steady_clock::now();
    const double cpu_began = process_cpu_seconds();
    go.count_down();
    for (auto& t : threads)
      t.join();
    terminal += kTasksPerIteration;
    h.wait_until_terminal(terminal);
    const auto ended = std::chrono::steady_clock::now();
    cpu_seconds += process_cpu_seconds() - cpu_began;
    state.SetIterationTime(std::chrono::duration<double>(ended - began).count());
    refusals += refused.load();
  }

  if (counter.refused.load() != 0)
    state.SkipWithError("the pipeline refused submissions (store unavailable)");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kTasksPerIteration));
  state.counters["queue_full_retries"] = static_cast<double>(refusals);
  // CPU spent per task by every thread (producers, actors, poller): unlike
  // tasks/s it barely moves when a shared machine lends fewer cores.
  state.counters["cpu_ns_per_task"] =
    cpu_seconds * 1e9 / static_cast<double>(state.iterations() * kTasksPerIteration);
}

BENCHMARK(BM_CorePath)
  ->ArgNames({"workers", "batch", "producers"})
  ->ArgsProduct({{1, 2, 4}, {1, 64}, {1, 2}})
  ->UseManualTime()
  ->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
