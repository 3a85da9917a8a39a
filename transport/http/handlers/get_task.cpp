// File: transport/http/handlers/get_task.cpp
// GET /task/{id}: the task's record, read from the store through the bridge.
// A task of another tenant is answered exactly as an unknown id: nobody
// learns which ids exist elsewhere.
#include "transport/http/actor_await.hpp"
#include "transport/http/handlers/handlers.hpp"
#include "transport/http/handlers/own_task.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {

awaitable<response> get_task(const request& req, const route_match& m, context& ctx) {
  auto id = task_id::parse(m.param);
  if (!id)
    co_return task_not_found(req, m.param);
  auto found = co_await look_up_own_task(*id, m, ctx);
  switch (found.outcome) {
    case lookup_result::kind::found:
      co_return json_response(req, bhttp::status::ok, record_to_json(found.record, *ctx.ops));
    case lookup_result::kind::not_found:
      co_return task_not_found(req, m.param);
    case lookup_result::kind::unavailable:
      break;
  }
  co_return store_unavailable(req);
}

} // namespace taskmesh::http
