// File: transport/http/handlers/get_events.cpp
// GET /events: /stats plus throughput once a second, as Server-Sent Events
// (streams/stats_stream.hpp), for the web UI and dashboards.
#include "transport/http/handlers/handlers.hpp"
#include "transport/http/responses.hpp"
#include "transport/http/streams/sse.hpp"
#include "transport/http/streams/stats_stream.hpp"

namespace taskmesh::http {

awaitable<response> get_events(const request& req, const route_match& m, context& ctx,
                               std::unique_ptr<body_stream>& body) {
  if (!ctx.events)
    co_return error_response(req, bhttp::status::not_found, "not_found", "no event streams here");
  auto stream = stats_stream::open(ctx, co_await asio::this_coro::executor, m.from.tenant);
  if (!stream)
    co_return too_many_streams(req, ctx);
  body = std::move(stream);
  co_return sse_head(req);
}

} // namespace taskmesh::http
