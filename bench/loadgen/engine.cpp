// File: bench/loadgen/engine.cpp
#include "bench/loadgen/engine.hpp"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <vector>

#include "bench/loadgen/load_loops.hpp"
#include "bench/loadgen/open_loop_schedule.hpp"
#include "bench/loadgen/request_builder.hpp"
#include "bench/loadgen/runner.hpp"

namespace taskmesh::loadgen {

double load_result::rate() const noexcept {
  return duration_s > 0 ? static_cast<double>(stats.responses) / duration_s : 0;
}
double load_result::ok_rate() const noexcept {
  return duration_s > 0 ? static_cast<double>(stats.ok()) / duration_s : 0;
}
std::uint64_t load_result::tasks() const noexcept {
  return stats.ok() * tasks_per_request;
}
double load_result::tasks_rate() const noexcept {
  return duration_s > 0 ? static_cast<double>(tasks()) / duration_s : 0;
}

load_result run_load(const load_config& cfg) {
  return run_load(cfg, resolve_and_probe(cfg.host, cfg.port));
}

load_result run_load(const load_config& cfg, const endpoints& eps) {
  const request_shape shape = shape_for(cfg);
  const std::string request =
      serialize_request(shape.method, shape.path, host_header(cfg.host, cfg.port), shape.body,
                        cfg.headers);

  loop_plan plan;
  plan.request = request;
  plan.warmup = cfg.warmup;
  if (cfg.requests == 0) plan.duration = cfg.duration;
  plan.requests = cfg.requests;
  plan.drain = cfg.timeout;
  const wall_clock_mapping wall;
  if (!cfg.accepted_out.empty()) plan.keep_accepted = &wall;

  const int threads = effective_threads(cfg.threads, cfg.connections);
  std::vector<thread_state> states(static_cast<std::size_t>(threads));
  std::atomic<std::uint64_t> claimed{0};
  const open_loop_schedule schedule(cfg.rate, cfg.connections);

  connection_body body;
  if (cfg.mode == run_mode::open) {
    body = [&](body_context ctx) {
      return open_loop(ctx, plan, schedule, states[static_cast<std::size_t>(ctx.thread)]);
    };
  } else {
    body = [&](body_context ctx) {
      return closed_loop(ctx, plan, states[static_cast<std::size_t>(ctx.thread)], claimed);
    };
  }
  run_connections(eps, threads, cfg.connections, cfg.timeout, body);

  load_result out;
  steady::time_point last_done{};
  for (auto& s : states) {
    out.stats.merge(s.stats);
    out.accepted.insert(out.accepted.end(), std::make_move_iterator(s.accepted.begin()),
                        std::make_move_iterator(s.accepted.end()));
    last_done = std::max(last_done, s.last_done);
  }
  const auto measure_from = states.front().start + cfg.warmup;
  auto window_end = last_done;
  if (plan.duration) window_end = std::max(window_end, measure_from + *plan.duration);
  if (window_end > measure_from)
    out.duration_s = std::chrono::duration<double>(window_end - measure_from).count();
  out.method = shape.method;
  out.path = shape.path;
  out.body_bytes = shape.body.size();
  out.request_bytes = request.size();
  out.tasks_per_request = shape.tasks_per_request;
  out.threads = threads;
  return out;
}

} // namespace taskmesh::loadgen
