// File: bench/loadgen/cli.cpp
#include "bench/loadgen/cli.hpp"

#include <iostream>
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "bench/loadgen/flag_values.hpp"

namespace taskmesh::loadgen {

namespace {

constexpr const char* footer = R"(Examples:
  taskmesh-loadgen --url http://127.0.0.1:8080 --mode closed --target task -c 64 -d 30s --warmup 5s
  taskmesh-loadgen --mode open --rate 20000 -c 128 -t 2 --target tasks --batch 50 --json
  taskmesh-loadgen --mode e2e --tasks 100000 --target tasks --batch 100 -c 32
  taskmesh-loadgen --url http://127.0.0.1:8081 --target task -c 64 -d 30s   # nginx ceiling, same bytes
Latency is in microseconds; in open mode it is timed from each request's intended send
time, so a stalled server shows in the tail. Exit status: 0 run done (HTTP and transport
errors are counted, not fatal), 1 nothing reachable at --url, 2 bad flags.)";

struct raw_flags {
  std::string url = "http://127.0.0.1:8080";
  std::string mode = "closed";
  std::string target = "task";
  std::string duration = "10s";
  std::string warmup = "0s";
  std::string timeout = "10s";
  std::string poll_interval = "50ms";
  std::string e2e_timeout = "120s";
};

struct bad_flag {
  std::string message;
};

std::chrono::nanoseconds duration_flag(const std::string& flag, const std::string& value) {
  if (const auto d = parse_duration(value)) return *d;
  throw bad_flag{flag + ": '" + value + "' is not a duration (e.g. 500ms, 10s, 2m)"};
}

} // namespace

cli_result parse_cli(int argc, char** argv) {
  CLI::App app{"taskmesh-loadgen: HTTP/1.1 load generator for taskmesh (closed loop, open loop "
               "without coordinated omission, end to end)",
               "taskmesh-loadgen"};
  app.footer(footer);
  app.get_formatter()->column_width(34);
  load_config cfg;
  raw_flags raw;
  bool json = false;
  const std::map<std::string, run_mode> modes{
      {"closed", run_mode::closed}, {"open", run_mode::open}, {"e2e", run_mode::e2e}};
  const std::map<std::string, target_kind> targets{
      {"task", target_kind::task}, {"tasks", target_kind::tasks}, {"raw", target_kind::raw}};

  // flag, variable, help; bounds on the same line
  app.add_option("--url", raw.url, "server, http://host:port (a path here is the default --path)")
      ->type_name("URL")
      ->capture_default_str();
  app.add_option("--mode", raw.mode,
                 "closed: C connections back to back; open: fixed --rate; "
                 "e2e: submit --tasks and wait until all are finished")
      ->check(CLI::IsMember({"closed", "open", "e2e"}))
      ->capture_default_str();
  app.add_option("--target", raw.target,
                 "task: POST /task; tasks: POST /tasks (--batch per "
                 "request); raw: GET / (see --method/--path)")
      ->check(CLI::IsMember({"task", "tasks", "raw"}))
      ->capture_default_str();
  app.add_option("--method", cfg.method,
                 "override the request method (e.g. POST with "
                 "--target raw sends no body)");
  app.add_option("--path", cfg.path, "override the request path");
  app.add_option("--op", cfg.op, "task type in the body")->capture_default_str();
  app.add_option("--payload-bytes", cfg.payload_bytes,
                 "size of one task object {\"type\":..,\"payload\":\"lorem ..\"} in bytes")
      ->check(CLI::Range(std::size_t{0}, std::size_t{64} << 20))
      ->capture_default_str();
  app.add_option("--params", cfg.params,
                 "JSON object sent as each task's params, e.g. '{\"delay_ms\":100}'");
  app.add_option("-H,--header", cfg.headers,
                 "extra request header 'Name: value' (repeatable; closed and open modes)");
  app.add_option("--batch", cfg.batch, "tasks per POST /tasks request")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str();
  app.add_option("-c,--connections", cfg.connections, "keep-alive connections")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("-t,--threads", cfg.threads, "I/O threads (connections spread round robin)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("-R,--rate", cfg.rate, "open mode: requests/s over all connections")
      ->check(CLI::PositiveNumber);
  app.add_option("-d,--duration", raw.duration, "measured run length (after the warm-up)")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--warmup", raw.warmup, "run this long first and drop its samples")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("-n,--requests", cfg.requests,
                 "count-based run: stop after N measured requests (instead of --duration)")
      ->check(CLI::PositiveNumber);
  app.add_option("--timeout", raw.timeout, "per-request timeout, send to last response byte")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--tasks", cfg.tasks, "e2e: tasks to submit")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--sample", cfg.sample, "e2e: random ids read back for the latency distribution")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
      ->capture_default_str();
  app.add_option("--poll-interval", raw.poll_interval, "e2e: pause between completion polls")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--e2e-timeout", raw.e2e_timeout,
                 "e2e: give up waiting for completion this long after the last submit")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--accepted-out", cfg.accepted_out,
                 "open/closed: write '<id> <due time, us since the epoch>' per accepted task "
                 "(every measured 2xx answer) to FILE")
      ->type_name("FILE");
  app.add_flag("--json", json, "one JSON object on stdout; the summary goes to stderr");

  cli_result out;
  try {
    app.parse(argc, argv);
    const auto url = parse_url(raw.url);
    if (!url) throw bad_flag{"--url: '" + raw.url + "' is not http://host[:port][/path]"};
    cfg.url = raw.url;
    cfg.host = url->host;
    cfg.port = url->port;
    if (cfg.path.empty() && url->path.size() > 1) cfg.path = url->path;
    cfg.mode = modes.at(raw.mode);
    cfg.target = targets.at(raw.target);
    cfg.duration = duration_flag("--duration", raw.duration);
    cfg.warmup = duration_flag("--warmup", raw.warmup);
    cfg.timeout = duration_flag("--timeout", raw.timeout);
    cfg.poll_interval = duration_flag("--poll-interval", raw.poll_interval);
    cfg.e2e_timeout = duration_flag("--e2e-timeout", raw.e2e_timeout);
    if (cfg.mode == run_mode::open && cfg.rate <= 0)
      throw bad_flag{"--rate: required (> 0) with --mode open"};
    if (cfg.mode == run_mode::e2e && cfg.target == target_kind::raw)
      throw bad_flag{"--target: e2e submits tasks, use task or tasks"};
    if (cfg.requests == 0 && cfg.duration.count() == 0)
      throw bad_flag{"--duration: must be > 0 (or give --requests)"};
    if (cfg.timeout.count() == 0) throw bad_flag{"--timeout: must be > 0"};
    if (cfg.mode == run_mode::e2e && !cfg.accepted_out.empty())
      throw bad_flag{"--accepted-out: open and closed modes only"};
  } catch (const CLI::CallForHelp& e) {
    out.exit_code = app.exit(e);
    return out;
  } catch (const CLI::ParseError& e) {
    app.exit(e); // prints the message naming the flag
    out.exit_code = 2;
    return out;
  } catch (const bad_flag& e) {
    std::cerr << e.message << "\nRun with --help for more information.\n";
    out.exit_code = 2;
    return out;
  }
  out.config = std::move(cfg);
  out.json = json;
  return out;
}

} // namespace taskmesh::loadgen
