// File: transport/http/handlers/own_task.hpp
// What every /task/{id} route shares: reading the caller's own task, and the
// two answers for when that fails. Another tenant's task is answered exactly
// as an unknown id, so nobody learns which ids exist elsewhere.
#pragma once

#include <string_view>

#include "transport/http/actor_await.hpp"
#include "transport/http/router.hpp"

namespace taskmesh::http {

// The record of `id` through the bridge; not_found when it belongs to
// another tenant than the caller's.
awaitable<lookup_result> look_up_own_task(const task_id& id, const route_match& m, context& ctx);

// 404 not_found for an id the caller may not see (unknown, malformed, or another tenant's).
response task_not_found(const request& req, std::string_view id);

// 503 unavailable: the result store did not answer.
response store_unavailable(const request& req);

} // namespace taskmesh::http
