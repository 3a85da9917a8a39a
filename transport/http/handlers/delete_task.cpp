// File: transport/http/handlers/delete_task.cpp
// DELETE /task/{id}: a queued or delayed task becomes `cancelled` and never
// runs (200 with its record); one that is running or finished answers 409
// not_cancellable with its current record; unknown id 404.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "actors/codec/task_codec.hpp"
#include "transport/http/actor_await.hpp"
#include "transport/http/handlers/handlers.hpp"
#include "transport/http/handlers/own_task.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {

awaitable<response> delete_task(const request& req, const route_match& m, context& ctx) {
  auto id = task_id::parse(m.param);
  if (!id)
    co_return task_not_found(req, m.param);
  // Another tenant's task is answered exactly as an unknown id (GET /task/{id}).
  auto found = co_await look_up_own_task(*id, m, ctx);
  if (found.outcome == lookup_result::kind::not_found)
    co_return task_not_found(req, m.param);
  auto r = co_await await_callback<cancel_result>([&](cancel_callback done) {
    caf::anon_send(ctx.bridge, cancel_atom::value, *id, std::move(done));
  });
  switch (r.outcome) {
    case cancel_result::kind::cancelled:
      co_return json_response(req, bhttp::status::ok, record_to_json(r.record, *ctx.ops));
    case cancel_result::kind::not_cancellable: {
      // The error shape, plus the record as it is now.
      auto body = boost::json::parse(error_to_json(
        {409, "not_cancellable",
         "task " + std::string{m.param} + " is " + std::string{to_string(r.record.status)} +
           "; only queued or delayed tasks can be cancelled",
         ""}));
      body.as_object()["task"] = boost::json::parse(record_to_json(r.record, *ctx.ops));
      co_return json_response(req, bhttp::status::conflict, boost::json::serialize(body));
    }
    case cancel_result::kind::not_found:
      co_return task_not_found(req, m.param);
    case cancel_result::kind::unavailable:
      break;
  }
  co_return store_unavailable(req);
}

} // namespace taskmesh::http
