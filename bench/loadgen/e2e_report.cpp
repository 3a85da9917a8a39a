// File: bench/loadgen/e2e_report.cpp
// The e2e report: submit phase, completion, and the sampled latency.
#include <boost/json/object.hpp>

#include "bench/loadgen/report.hpp"
#include "bench/loadgen/report_format.hpp"

namespace taskmesh::loadgen {

namespace json = boost::json;

boost::json::object e2e_report_json(const load_config& cfg, const e2e_result& r) {
  const auto& s = r.submit;
  return {
      {"mode", "e2e"},
      {"target", to_string(cfg.target)},
      {"tasks", r.tasks_submitted},
      {"accepted", r.tasks_accepted},
      {"completed", r.completed},
      {"completion_source", r.completion_source},
      {"terminal_observed", r.terminal_observed},
      {"duration_s", r.total_s},
      {"duration_resolution_s", r.poll_interval_s},
      {"tasks_rate", r.tasks_rate()},
      {"latency_us", latency_json(r.latency_us)},
      {"sample",
       {{"size", r.sample.size},
        {"succeeded", r.sample.succeeded},
        {"failed", r.sample.failed},
        {"dead", r.sample.dead},
        {"unfinished", r.sample.unfinished},
        {"unreadable", r.sample.unreadable}}},
      {"submit",
       {{"requests", s.responses},
        {"planned_requests", r.submit_requests},
        {"duration_s", r.submit_s},
        {"tasks_rate", r.submit_rate()},
        {"unparsed_answers", r.unparsed_answers},
        {"latency_us", latency_json(s.latency_us)},
        {"status", status_json(s)},
        {"errors", errors_json(s)},
        {"bytes", {{"sent", s.bytes_sent}, {"received", s.bytes_received}}}}},
      {"poll_requests", r.poll_requests},
      {"config", config_json(cfg)},
  };
}

std::string e2e_report_text(const load_config& cfg, const e2e_result& r) {
  const auto& s = r.submit;
  std::string out =
      sformat("e2e, target %s: %llu tasks submitted over %d connections\n",
              std::string(to_string(cfg.target)).c_str(), ull(r.tasks_submitted), cfg.connections);
  out += sformat("  submit     %llu accepted in %.3f s (%.1f tasks/s), errors %s\n",
                 ull(r.tasks_accepted), r.submit_s, r.submit_rate(), errors_line(s).c_str());
  out += "  submit lat " + latency_line(s.latency_us) + "\n";
  out +=
      sformat("  finish     %s: %llu terminal (per %s) after %.3f s (+/- %.3f s): %.1f tasks/s\n",
              r.completed ? "complete" : "INCOMPLETE (timed out)", ull(r.terminal_observed),
              r.completion_source.c_str(), r.total_s, r.poll_interval_s, r.tasks_rate());
  out += "  e2e lat    " + latency_line(r.latency_us) + "\n";
  out += sformat("  sample     %llu ids: %llu succeeded, %llu failed, %llu dead, %llu unfinished, "
                 "%llu unreadable\n",
                 ull(r.sample.size), ull(r.sample.succeeded), ull(r.sample.failed),
                 ull(r.sample.dead), ull(r.sample.unfinished), ull(r.sample.unreadable));
  return out;
}

} // namespace taskmesh::loadgen
