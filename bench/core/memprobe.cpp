// File: bench/core/memprobe.cpp
// taskmesh-memprobe: measured resident memory per queued task and per stored
// result, on the real in-process graph (see pipeline_harness.hpp). Prints one
// JSON object on stdout for bench scripts.
//
// Each probe runs in its own forked child (forked before any thread exists),
// so one probe's freed-but-cached heap cannot hide the other's growth.
//   queued: 1 worker, max-in-flight 1, N echo tasks with delay_ms 60000: one
//     task waits in the worker, N-1 in the dispatcher's lane, N queued
//     records in the store. Included: the task in the lane, its store
//     record, hash-map node and bucket, allocator overhead. Not included:
//     the HTTP request that carried it.
//   stored: N echo tasks run to completion with max_records > N. Included:
//     the store's record (result JSON included), hash-map node and bucket,
//     the finish-order entry, allocator overhead.
// Both: RSS is read once the process has gone idle (after malloc_trim(0),
// which matters for the system allocator only: mimalloc, linked by release
// builds, returns freed pages by itself) before the first push and after the last task settled; the difference is
// divided by N. Producers keep at most kMaxOutstanding submissions
// unanswered, so intake-queue blocks (kept for reuse by moodycamel, not per
// task) stay a small, fixed part of the difference.
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <CLI/CLI.hpp>

#include "bench/core/pipeline_harness.hpp"

namespace {

using namespace taskmesh;
using namespace taskmesh::bench;
using namespace std::chrono_literals;

constexpr std::string_view kPayload = "\"hello\"";     // serialized JSON
constexpr std::string_view kResult = R"({"payload":"hello"})"; // what echo stores
constexpr std::uint64_t kMaxOutstanding = 16'384;

std::int64_t rss_bytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
      resident = 0;
    std::fclose(f);
  }
  return resident * sysconf(_SC_PAGESIZE);
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Waits until the process used under 2% of a core over 200 ms (actors done
// with their mailboxes, scheduler threads asleep), then trims and reads RSS.
std::int64_t settled_rss() {
  for (int round = 0; round < 150; ++round) {
    const double before = cpu_seconds();
    std::this_thread::sleep_for(200ms);
    if (cpu_seconds() - before < 0.004)
      break;
  }
  malloc_trim(0);
  return rss_bytes();
}

// Pushes n single-task submissions (like n POST /task), built as they go.
void push_paced(pipeline_harness& h, op_index op, std::uint32_t delay_ms, std::uint64_t n,
                completion_counter& counter) {
  for (std::uint64_t i = 0; i < n; ++i) {
    while (i - counter.accepted.load(std::memory_order_acquire) >= kMaxOutstanding)
      std::this_thread::sleep_for(50us);
    auto subs = make_submissions(op, kPayload, delay_ms, 1, 1, counter);
    push_all(h.queue(), subs);
  }
  while (counter.accepted.load() + counter.refused.load() < n)
    std::this_thread::sleep_for(1ms);
  if (counter.refused.load() != 0)
    throw std::runtime_error("the pipeline refused submissions");
}

struct probe_result {
  double bytes_per_task = 0;
  std::int64_t rss_before = 0;
  std::int64_t rss_after = 0;
};

probe_result probe_queued(std::uint64_t n) {
  harness_config c;
  c.workers = 1;
  c.max_in_flight = 1;
  c.queue_capacity = n + 1024;
  c.max_records = std::max<std::uint64_t>(c.max_records, 2 * n);
  pipeline_harness h{c};
  completion_counter counter;
  probe_result r;
  r.rss_before = settled_rss();
  push_paced(h, h.op("echo"), 60'000, n, counter);
  r.rss_after = settled_rss();
  const auto s = h.snapshot();
  if (s.in_flight != 1 || s.backlog != static_cast<std::int64_t>(n - 1) ||
      s.records != static_cast<std::int64_t>(n))
    throw std::runtime_error("queued probe: tasks not where expected");
  r.bytes_per_task = static_cast<double>(r.rss_after - r.rss_before) / static_cast<double>(n);
  return r;
}

probe_result probe_stored(std::uint64_t n, std::uint32_t workers) {
  harness_config c;
  c.workers = workers;
  c.queue_capacity = n + 1024;
  c.max_records = 2 * n; // nothing evicted
  pipeline_harness h{c};
  completion_counter counter;
  probe_result r;
  r.rss_before = settled_rss();
  push_paced(h, h.op("echo"), 0, n, counter);
  h.wait_until_terminal(n);
  r.rss_after = settled_rss();
  if (h.gauges().records.load() != static_cast<std::int64_t>(n))
    throw std::runtime_error("stored probe: record count is not N");
  r.bytes_per_task = static_cast<double>(r.rss_after - r.rss_before) / static_cast<double>(n);
  return r;
}

// Runs `probe` in a forked child; the result comes back through a pipe.
template <class Probe>
probe_result in_child(Probe probe) {
  int fds[2];
  if (pipe(fds) != 0)
    throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    int code = 0;
    probe_result r;
    try {
      r = probe();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "memprobe: %s\n", e.what());
      code = 1;
    }
    if (write(fds[1], &r, sizeof r) != static_cast<ssize_t>(sizeof r))
      code = 1;
    // Skip tearing down a million tasks: the numbers are taken.
    _exit(code);
  }
  close(fds[1]);
  probe_result r;
  const bool got = read(fds[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("probe child failed");
  return r;
}

} // namespace

int main(int argc, char** argv) {
  std::uint64_t tasks = 1'000'000;
  std::uint32_t workers = std::max(1u, std::thread::hardware_concurrency());
  CLI::App app{"taskmesh-memprobe: RSS per queued task and per stored result"};
  app.add_option("--tasks", tasks, "Tasks per probe")->check(CLI::Range(1'000ull, 100'000'000ull));
  app.add_option("--workers", workers, "Workers for the stored-result probe")
    ->check(CLI::Range(1u, 1024u));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    const auto queued = in_child([&] { return probe_queued(tasks); });
    const auto stored = in_child([&] { return probe_stored(tasks, workers); });
    std::printf("{\"tasks\":%llu,\"queued_task_bytes\":%.1f,\"queued_task_bytes_raw\":%.1f,"
                "\"payload_bytes\":%zu,\"stored_result_bytes\":%.1f,\"result_json_bytes\":%zu,"
                "\"queued_rss_before\":%lld,\"queued_rss_after\":%lld,"
                "\"stored_rss_before\":%lld,\"stored_rss_after\":%lld}\n",
                static_cast<unsigned long long>(tasks),
                queued.bytes_per_task - static_cast<double>(kPayload.size()), queued.bytes_per_task,
                kPayload.size(), stored.bytes_per_task, kResult.size(),
                static_cast<long long>(queued.rss_before), static_cast<long long>(queued.rss_after),
                static_cast<long long>(stored.rss_before), static_cast<long long>(stored.rss_after));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "memprobe: %s\n", e.what());
    return 1;
  }
  return 0;
}
