// File: transport/http/handlers/handlers.hpp
// One handler per route, one file each. Signature:
//   awaitable<response>(const request&, const route_match&, context&)
#pragma once

#include "transport/http/router.hpp"

namespace taskmesh::http {

awaitable<response> post_task(const request&, const route_match&, context&);
awaitable<response> post_tasks(const request&, const route_match&, context&);
awaitable<response> get_task(const request&, const route_match&, context&);
awaitable<response> get_stats(const request&, const route_match&, context&);
awaitable<response> get_health(const request&, const route_match&, context&);
awaitable<response> get_health_live(const request&, const route_match&, context&);
awaitable<response> get_health_ready(const request&, const route_match&, context&);
awaitable<response> get_metrics(const request&, const route_match&, context&);

} // namespace taskmesh::http
