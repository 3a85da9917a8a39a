// File: transport/http/handlers/get_metrics.cpp
// GET /metrics: Prometheus text exposition of the registry (task series, owned
// by the stats actor) and the HTTP request series. Asking stats first makes
// the gauges current at scrape time.
#include <prometheus/text_serializer.h>

#include "transport/http/actor_await.hpp"
#include "transport/http/handlers/handlers.hpp"
#include "transport/http/request_metrics.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {

awaitable<response> get_metrics(const request& req, const route_match&, context& ctx) {
  co_await await_callback<stats_snapshot>([&](stats_callback done) {
    caf::anon_send(ctx.bridge, get_atom::value, std::move(done));
  });
  auto families = ctx.registry->Collect();
  if (ctx.http_metrics) {
    auto http_families = ctx.http_metrics->Collect();
    families.insert(families.end(), std::make_move_iterator(http_families.begin()),
                    std::make_move_iterator(http_families.end()));
  }
  auto res = json_response(req, bhttp::status::ok, prometheus::TextSerializer{}.Serialize(families));
  res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  co_return res;
}

} // namespace taskmesh::http
