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
awaitable<response> delete_task(const request&, const route_match&, context&);
awaitable<response> get_ui(const request&, const route_match&, context&);

// Event streams (Server-Sent Events).
awaitable<response> get_task_events(const request&, const route_match&, context&,
                                    std::unique_ptr<body_stream>&);
awaitable<response> get_events(const request&, const route_match&, context&,
                               std::unique_ptr<body_stream>&);
// 429 too_many_streams: the process (or tenant) has as many streams open as allowed.
response too_many_streams(const request& req, const context& ctx);


} // namespace taskmesh::http
