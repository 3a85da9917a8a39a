// File: bench/loadgen/config.hpp
// What one loadgen run does, as plain data: parsed once from the command line
// (cli.cpp) and handed by const reference to the engine and to e2e. Nothing
// else reads flags.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include <string_view>

namespace taskmesh::loadgen {

using namespace std::chrono_literals;

enum class run_mode { closed, open, e2e };
enum class target_kind { task, tasks, raw };

std::string_view to_string(run_mode m) noexcept;
std::string_view to_string(target_kind t) noexcept;

struct load_config {
  std::string url = "http://127.0.0.1:8080"; // echoed in reports
  std::string host = "127.0.0.1";
  std::string port = "8080";

  run_mode mode = run_mode::closed;
  target_kind target = target_kind::task;
  std::string method; // "" = the target's default (see request_builder.hpp)
  std::string path;   // "" = the target's default

  std::string op = "wordcount";
  std::size_t payload_bytes = 100; // size of one task object on the wire
  std::size_t batch = 10;          // tasks per POST /tasks
  std::string params;              // JSON object text for each task's "params"; "" = none
  std::vector<std::string> headers; // extra "Name: value" lines on every request (open/closed)

  int connections = 16;
  int threads = 1;
  double rate = 0; // open loop: requests/s over all connections

  std::chrono::nanoseconds duration = 10s;
  std::chrono::nanoseconds warmup = 0s;
  std::uint64_t requests = 0;             // > 0: count-based run, duration ignored
  std::chrono::nanoseconds timeout = 10s; // per request, send to last byte
  // open/closed: write the ids of every measured 2xx answer with their due
  // times to this file (accepted_ids.hpp); "" = keep none
  std::string accepted_out;

  // e2e only
  std::uint64_t tasks = 10'000;
  std::size_t sample = 2'000;
  std::chrono::nanoseconds poll_interval = 50ms;
  std::chrono::nanoseconds e2e_timeout = 120s; // wait for completion, after submit
};

} // namespace taskmesh::loadgen
