// File: bench/loadgen/report.cpp
// The pieces shared by both reports, and the closed/open report.
#include "bench/loadgen/report.hpp"

#include <chrono>
#include <cstdio>

#include "bench/loadgen/report_format.hpp"

namespace taskmesh::loadgen {

namespace json = boost::json;

boost::json::object latency_json(const histogram& h) {
  return {{"count", h.count()},          {"min", h.min()},          {"mean", h.mean()},
          {"p50", h.percentile(50)},     {"p90", h.percentile(90)}, {"p99", h.percentile(99)},
          {"p99_9", h.percentile(99.9)}, {"max", h.max()}};
}

boost::json::object errors_json(const run_stats& s) {
  json::object by_status;
  for (std::size_t code = 0; code < s.by_status.size(); ++code)
    if (s.by_status[code] && (code < 200 || code > 299))
      by_status[std::to_string(code)] = s.by_status[code];
  json::object by_kind;
  for (std::size_t k = 0; k < transport_error_kinds; ++k)
    by_kind[to_string(static_cast<transport_error>(k))] = s.by_error[k];
  return {
      {"total", s.errors()}, {"by_status", std::move(by_status)}, {"by_kind", std::move(by_kind)}};
}

boost::json::object status_json(const run_stats& s) {
  json::object out;
  for (std::size_t code = 0; code < s.by_status.size(); ++code)
    if (s.by_status[code]) out[std::to_string(code)] = s.by_status[code];
  return out;
}

boost::json::object config_json(const load_config& cfg) {
  using seconds = std::chrono::duration<double>;
  json::object o{{"url", cfg.url},
                 {"mode", to_string(cfg.mode)},
                 {"target", to_string(cfg.target)},
                 {"connections", cfg.connections},
                 {"threads", cfg.threads},
                 {"timeout_s", seconds(cfg.timeout).count()}};
  if (cfg.target != target_kind::raw) {
    o["op"] = cfg.op;
    o["payload_bytes"] = cfg.payload_bytes;
  }
  if (cfg.target == target_kind::tasks) o["batch"] = cfg.batch;
  if (cfg.mode == run_mode::e2e) {
    o["tasks"] = cfg.tasks;
    o["sample"] = cfg.sample;
    o["poll_interval_s"] = seconds(cfg.poll_interval).count();
    o["e2e_timeout_s"] = seconds(cfg.e2e_timeout).count();
    return o;
  }
  if (cfg.mode == run_mode::open) o["rate"] = cfg.rate;
  if (cfg.requests)
    o["requests"] = cfg.requests;
  else
    o["duration_s"] = seconds(cfg.duration).count();
  o["warmup_s"] = seconds(cfg.warmup).count();
  return o;
}

boost::json::object load_report_json(const load_config& cfg, const load_result& r) {
  const auto& s = r.stats;
  json::object o{
      {"mode", to_string(cfg.mode)},
      {"target", to_string(cfg.target)},
      {"request",
       {{"method", r.method},
        {"path", r.path},
        {"body_bytes", r.body_bytes},
        {"request_bytes", r.request_bytes},
        {"tasks_per_request", r.tasks_per_request}}},
      {"duration_s", r.duration_s},
      {"requests", s.responses},
      {"rate", r.rate()},
      {"ok", s.ok()},
      {"ok_rate", r.ok_rate()},
      {"tasks", r.tasks()},
      {"tasks_rate", r.tasks_rate()},
      {"latency_us", latency_json(s.latency_us)},
      {"status", status_json(s)},
      {"errors", errors_json(s)},
      {"bytes", {{"sent", s.bytes_sent}, {"received", s.bytes_received}}},
      {"connects", s.connects},
      {"threads", r.threads},
      {"config", config_json(cfg)},
  };
  if (cfg.mode == run_mode::open) o["send_lag_us"] = latency_json(s.send_lag_us);
  return o;
}

std::string load_report_text(const load_config& cfg, const load_result& r) {
  const auto& s = r.stats;
  std::string out =
      sformat("%s loop, target %s: %s %s (%zu B body), %d connections on %d thread(s)\n",
              std::string(to_string(cfg.mode)).c_str(), std::string(to_string(cfg.target)).c_str(),
              r.method.c_str(), r.path.c_str(), r.body_bytes, cfg.connections, r.threads);
  out += sformat("  duration   %.3f s measured\n", r.duration_s);
  out += sformat("  requests   %llu  (%.1f/s), 2xx %llu (%.1f/s)", ull(s.responses), r.rate(),
                 ull(s.ok()), r.ok_rate());
  if (r.tasks_per_request) out += sformat(", tasks %llu (%.1f/s)", ull(r.tasks()), r.tasks_rate());
  out += "\n";
  out += "  latency    " + latency_line(s.latency_us) + "\n";
  if (cfg.mode == run_mode::open) out += "  send lag   " + latency_line(s.send_lag_us) + "\n";
  out += "  errors     " + errors_line(s) + "\n";
  out += sformat("  bytes      sent %s, received %s; %llu new connections\n",
                 bytes_text(s.bytes_sent).c_str(), bytes_text(s.bytes_received).c_str(),
                 ull(s.connects));
  return out;
}

} // namespace taskmesh::loadgen
