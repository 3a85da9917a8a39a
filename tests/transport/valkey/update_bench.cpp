// File: tests/transport/valkey/update_bench.cpp
// valkey_update_bench [tasks=100000] [tasks_per_call=256] [max_script_batch=256]
// Starts its own redis-server on a free loopback port, admits `tasks` queued
// records, then times terminal updates sent `tasks_per_call` per call (one
// round trip each; max_script_batch tasks per EVALSHA). Finally runs
// `redis-benchmark -P 256 -t set -n 1000000 -q` against the same server, so
// both numbers come from the same machine and server build. Also prints the
// server's own time per EVALSHA (INFO commandstats).
// With TASKMESH_BENCH_CALLGRIND_DUMP=<path of callgrind_control>
// (bench/profile/valkey_scripts, which starts the server under callgrind
// through REDIS_SERVER) it asks callgrind for a dump before the admits,
// after them and after the updates, and skips redis-benchmark.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/transport/valkey/redis_server.hpp"
#include "transport/valkey/task_records.hpp"

using namespace taskmesh;
using namespace taskmesh::valkey;
using namespace std::chrono_literals;

namespace {

// `callgrind_control -d` on the server (its process_id from INFO server):
// the instructions since the last dump go to a file of their own.
bool callgrind_dump(const testing::redis_server& server, const std::string& callgrind_control) {
  const auto info = server.admin({"INFO", "server"});
  const std::string text(string_of(info.get()).value_or(""));
  const auto at = text.find("process_id:");
  if (at == std::string::npos)
    return false;
  const auto pid = text.substr(at + 11, text.find('\r', at) - at - 11);
  const auto run = test_support::run_to_exit(callgrind_control, {"-d", pid}, {}, 60s);
  return run.exit_code == 0;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <class Fn>
double timed_batches(std::size_t total, std::size_t per_call, Fn&& call) {
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t at = 0; at < total; at += per_call)
    call(at, std::min(per_call, total - at));
  return seconds_since(start);
}

} // namespace

int main(int argc, char** argv) {
  const std::size_t tasks = argc > 1 ? std::stoul(argv[1]) : 100'000;
  const std::size_t per_call = argc > 2 ? std::stoul(argv[2]) : 256;
  const std::size_t script_batch = argc > 3 ? std::stoul(argv[3]) : 256;

  testing::redis_server server;
  valkey_config config = server.config();
  config.command_timeout = 10s;
  client c(config);
  task_records records(c, {"bench", 10min, script_batch});

  std::vector<task_record> queued(tasks), done(tasks);
  for (std::size_t i = 0; i < tasks; ++i) {
    queued[i].id = task_id::generate();
    queued[i].submitted_at = now_us();
    done[i] = queued[i];
    done[i].status = task_status::succeeded;
    done[i].attempts = 1;
    done[i].started_at = queued[i].submitted_at + 100;
    done[i].finished_at = queued[i].submitted_at + 200;
    done[i].result = R"({"words":12,"lines":3})";
  }
  const auto as_writes = [](const std::vector<task_record>& rs, std::size_t at, std::size_t n) {
    std::vector<record_write> w;
    w.reserve(n);
    for (std::size_t i = at; i < at + n; ++i)
      w.push_back({rs[i], "wordcount"});
    return w;
  };
  const char* dump_env = std::getenv("TASKMESH_BENCH_CALLGRIND_DUMP");
  const std::string callgrind_control = dump_env ? dump_env : "";
  const bool dumps = !callgrind_control.empty();
  if (dumps && !callgrind_dump(server, callgrind_control)) { // what came before: loading the scripts
    std::fprintf(stderr, "callgrind_control -d failed: is the server under callgrind?\n");
    return 1;
  }
  bool failed = false;
  const double admit_s = timed_batches(tasks, per_call, [&](std::size_t at, std::size_t n) {
    if (!records.admit(as_writes(queued, at, n)))
      failed = true;
  });
  if (dumps && !callgrind_dump(server, callgrind_control))
    failed = true;
  const double update_s = timed_batches(tasks, per_call, [&](std::size_t at, std::size_t n) {
    auto out = records.update(as_writes(done, at, n));
    if (!out)
      failed = true;
  });
  if (dumps && !callgrind_dump(server, callgrind_control))
    failed = true;
  const auto counters = records.counters();
  if (failed || !counters || counters->succeeded != static_cast<std::int64_t>(tasks)) {
    std::fprintf(stderr, "benchmark run failed\n");
    return 1;
  }
  std::printf("tasks=%zu tasks_per_call=%zu max_script_batch=%zu\n", tasks, per_call, script_batch);
  std::printf("admit  (queued records):   %8.0f tasks/s (%.3f s)\n", tasks / admit_s, admit_s);
  std::printf("update (terminal records): %8.0f tasks/s (%.3f s)\n", tasks / update_s, update_s);
  // Server-side time of the script runs (admit and update together).
  const auto info = server.admin({"INFO", "commandstats"});
  const std::string stats(string_of(info.get()).value_or(""));
  if (const auto at = stats.find("cmdstat_evalsha:"); at != std::string::npos)
    std::printf("server: %s\n", stats.substr(at, stats.find('\r', at) - at).c_str());
  std::fflush(stdout);
  if (dumps)
    return 0;

  const auto bench_bin =
    std::filesystem::path(testing::find_redis_server()).parent_path() / "redis-benchmark";
  if (!std::filesystem::exists(bench_bin)) {
    std::printf("redis-benchmark not found next to redis-server; skipped\n");
    return 0;
  }
  const auto run = test_support::run_to_exit(
    bench_bin.string(),
    {"-h", "127.0.0.1", "-p", std::to_string(server.port()), "-P", "256", "-t", "set", "-n",
     "1000000", "-q"},
    {}, 120s);
  std::printf("redis-benchmark -P 256 -t set -n 1000000 -q (same server):\n%s\n",
              run.output.c_str());
  return 0;
}
