// File: transport/http/handlers/get_stats.cpp
// GET /stats: counters, gauges and latency percentiles from the stats actor
// (the JSON shape is stats_json.cpp's).
#include "transport/http/actor_await.hpp"
#include "transport/http/handlers/handlers.hpp"
#include "transport/http/responses.hpp"
#include "transport/http/stats_json.hpp"

namespace taskmesh::http {

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
