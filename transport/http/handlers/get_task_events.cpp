// File: transport/http/handlers/get_task_events.cpp
// GET /task/{id}/events: the task's transitions as Server-Sent Events
// (streams/task_event_stream.hpp). Subscribes before reading the record, so
// no transition falls between the two. Unknown id 404; at the stream cap 429.
#include "transport/http/actor_await.hpp"
#include "transport/http/handlers/handlers.hpp"
#include "transport/http/handlers/own_task.hpp"
#include "transport/http/responses.hpp"
#include "transport/http/streams/sse.hpp"
#include "transport/http/streams/task_event_stream.hpp"

namespace taskmesh::http {

response too_many_streams(const request& req, const context& ctx) {
  const auto& limits = ctx.events->limits();
  std::string caps = std::to_string(limits.max_streams) + " per process";
  if (limits.max_per_tenant > 0)
    caps += ", " + std::to_string(limits.max_per_tenant) + " per tenant";
  auto res = error_response(req, bhttp::status::too_many_requests, "too_many_streams",
                            "too many open event streams (at most " + caps + "); retry later");
  res.set(bhttp::field::retry_after, "1");
  return res;
}


awaitable<response> get_task_events(const request& req, const route_match& m, context& ctx,
                                    std::unique_ptr<body_stream>& body) {
  const auto id_text = m.param;
  auto id = task_id::parse(id_text);
  if (!id || !ctx.events)
    co_return task_not_found(req, id_text);
  auto stream = task_event_stream::open(ctx, co_await asio::this_coro::executor, *id,
                                        m.from.tenant);
  if (!stream)
    co_return too_many_streams(req, ctx);
  auto found = co_await look_up_own_task(*id, m, ctx);
  if (found.outcome == lookup_result::kind::not_found)
    co_return task_not_found(req, id_text);
  if (found.outcome == lookup_result::kind::unavailable)
    co_return store_unavailable(req);
  stream->start(found.record, last_event_id(req));
  body = std::move(stream);
  co_return sse_head(req);
}

} // namespace taskmesh::http
