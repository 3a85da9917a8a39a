// File: transport/http/handlers/own_task.cpp
#include "transport/http/handlers/own_task.hpp"

#include <string>

#include "transport/http/responses.hpp"

namespace taskmesh::http {

awaitable<lookup_result> look_up_own_task(const task_id& id, const route_match& m, context& ctx) {
  auto found = co_await await_callback<lookup_result>([&](lookup_callback done) {
    caf::anon_send(ctx.bridge, get_atom::value, id, std::move(done));
  });
  if (found.outcome == lookup_result::kind::found && found.record.tenant != m.from.tenant)
    found.outcome = lookup_result::kind::not_found;
  co_return found;
}

response task_not_found(const request& req, std::string_view id) {
  return error_response(req, bhttp::status::not_found, "not_found",
                        "no task with id " + std::string{id});
}

response store_unavailable(const request& req) {
  return error_response(req, bhttp::status::service_unavailable, "unavailable",
                        "the result store did not answer; retry later");
}

} // namespace taskmesh::http
