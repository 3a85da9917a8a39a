// File: transport/http/handlers/get_stats.cpp
// GET /stats: counters, gauges and latency percentiles from the stats actor.
// valkey_keys_count / queue_backlog_length / worker_processed_count keep the
// names operators know from the cluster mode's dashboards.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "transport/http/actor_await.hpp"
#include "transport/http/handlers/handlers.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {
namespace {

boost::json::object latency_json(const latency_summary& l) {
  return {{"p50", l.p50_ms}, {"p99", l.p99_ms}, {"samples", l.samples}};
}

boost::json::object tally_json(const op_tally& t) {
  return {{"submitted", t.submitted}, {"succeeded", t.succeeded}, {"failed", t.failed},
          {"dead", t.dead}, {"retried", t.retried}};
}

std::string stats_json(const stats_snapshot& s) {
  boost::json::object by_type;
  for (const auto& [name, tally] : s.by_type)
    by_type[name] = tally_json(tally);
  const auto terminal = s.succeeded + s.failed + s.dead;
  boost::json::object o{
    {"mode", s.mode},
    {"valkey_keys_count", s.records},
    {"queue_backlog_length", s.backlog},
    {"worker_processed_count", terminal},
    {"submitted", s.submitted},
    {"succeeded", s.succeeded},
    {"failed", s.failed},
    {"dead", s.dead},
    {"retried", s.retried},
    {"in_flight", s.in_flight},
    {"workers", s.workers},
    {"worker_utilization", s.worker_utilization},
    {"uptime_s", s.uptime_s},
    {"by_type", std::move(by_type)},
    {"queue_wait_ms", latency_json(s.queue_wait)},
    {"processing_ms", latency_json(s.processing)},
  };
  return boost::json::serialize(o);
}

} // namespace

awaitable<response> get_stats(const request& req, const route_match&, context& ctx) {
  auto snapshot = co_await await_callback<stats_snapshot>([&](stats_callback done) {
    caf::anon_send(ctx.bridge, get_atom::value, std::move(done));
  });
  if (snapshot.mode.empty())
    co_return error_response(req, bhttp::status::service_unavailable, "unavailable",
                             "the stats actor did not answer; retry later");
  co_return json_response(req, bhttp::status::ok, stats_json(snapshot));
}

} // namespace taskmesh::http
