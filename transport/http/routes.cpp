// File: transport/http/routes.cpp
// The taskmesh API, as a table. Every route needs a bearer token (when
// tokens are configured) unless marked open here.
#include "transport/http/handlers/handlers.hpp"

namespace taskmesh::http {

router router::api() {
  using v = bhttp::verb;
  return router{{
    {v::post, "/task", post_task},
    {v::post, "/tasks", post_tasks, route_access::token, route_cost::per_task},
    {v::get, "/task/{id}", get_task},
    {v::delete_, "/task/{id}", delete_task},
    {v::get, "/task/{id}/events", nullptr, route_access::token, route_cost::per_request,
     get_task_events},
    {v::get, "/events", nullptr, route_access::token, route_cost::per_request, get_events},
    {v::get, "/stats", get_stats},
    {v::get, "/health", get_health, route_access::open},
    {v::get, "/health/live", get_health_live, route_access::open},
    {v::get, "/health/ready", get_health_ready, route_access::open},
    {v::get, "/metrics", get_metrics, route_access::metrics},
    {v::get, "/", get_ui, route_access::open},
    {v::get, "/ui/{file}", get_ui, route_access::open},
  }};
}

router router::worker() {
  using v = bhttp::verb;
  return router{{
    {v::get, "/stats", get_stats},
    {v::get, "/health", get_health, route_access::open},
    {v::get, "/health/live", get_health_live, route_access::open},
    {v::get, "/health/ready", get_health_ready, route_access::open},
    {v::get, "/metrics", get_metrics, route_access::metrics},
  }};
}

} // namespace taskmesh::http
