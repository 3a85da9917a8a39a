// File: transport/http/routes.cpp
// The taskmesh API, as a table.
#include "transport/http/handlers/handlers.hpp"

namespace taskmesh::http {

router router::api() {
  using v = bhttp::verb;
  return router{{
    {v::post, "/task", post_task},
    {v::post, "/tasks", post_tasks},
    {v::get, "/task/{id}", get_task},
    {v::get, "/stats", get_stats},
    {v::get, "/health", get_health},
    {v::get, "/health/live", get_health_live},
    {v::get, "/health/ready", get_health_ready},
    {v::get, "/metrics", get_metrics},
  }};
}

router router::worker() {
  using v = bhttp::verb;
  return router{{
    {v::get, "/stats", get_stats},
    {v::get, "/health", get_health},
    {v::get, "/health/live", get_health_live},
    {v::get, "/health/ready", get_health_ready},
    {v::get, "/metrics", get_metrics},
  }};
}

} // namespace taskmesh::http
