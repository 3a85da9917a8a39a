// File: transport/http/handlers/health.cpp
// GET /health, /health/live, /health/ready. Live: the process answers.
// Ready: started and not draining (load balancers stop sending new work
// while we drain). /health shows each check.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "transport/http/handlers/handlers.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {
namespace {

boost::json::object checks(const context& ctx) {
  const auto backlog = ctx.queue->backlog();
  const auto capacity = ctx.queue->capacity();
  boost::json::object o{
    {"started", ctx.health->started.load() ? "ok" : "starting"},
    {"draining", ctx.health->draining.load() ? "draining" : "ok"},
    {"queue", backlog < capacity ? "ok" : "full"},
  };
  for (const auto& [name, up] : ctx.health->dependencies)
    o[name] = up->load() ? "ok" : "unreachable";
  return o;
}

} // namespace

awaitable<response> get_health(const request& req, const route_match&, context& ctx) {
  const bool ready = ctx.health->ready();
  boost::json::object o{{"status", ready ? "healthy" : "unhealthy"}, {"mode", ctx.mode},
                        {"checks", checks(ctx)}};
  co_return json_response(req, ready ? bhttp::status::ok : bhttp::status::service_unavailable,
                          boost::json::serialize(o));
}

awaitable<response> get_health_live(const request& req, const route_match&, context&) {
  co_return json_response(req, bhttp::status::ok, R"({"status":"alive"})");
}

awaitable<response> get_health_ready(const request& req, const route_match&, context& ctx) {
  if (ctx.health->ready())
    co_return json_response(req, bhttp::status::ok, R"({"status":"ready"})");
  const char* why = ctx.health->draining.load()   ? R"({"status":"draining"})"
                    : !ctx.health->started.load() ? R"({"status":"starting"})"
                                                  : R"({"status":"dependency_unavailable"})";
  co_return json_response(req, bhttp::status::service_unavailable, why);
}

} // namespace taskmesh::http
