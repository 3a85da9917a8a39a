// File: transport/http/handlers/post_task.cpp
// POST /task: validate on this I/O thread, hand over to intake, answer 202
// once the task is recorded (or 200 for a repeated idempotency key).
#include <spdlog/spdlog.h>

#include "transport/http/actor_await.hpp"
#include "transport/http/handlers/handlers.hpp"
#include "transport/http/handlers/submission.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {

awaitable<response> post_task(const request& req, const route_match& m, context& ctx) {
  if (auto refused = precheck_submission(req, ctx))
    co_return std::move(*refused);
  auto parsed = parse_task_body(req.body(), *ctx.ops, ctx.codec);
  if (auto* e = std::get_if<api_error>(&parsed))
    co_return error_response(req, *e);

  std::vector<task> tasks;
  tasks.push_back(std::move(std::get<task>(parsed)));
  tasks.front().traceparent = trace_context_of(req);
  assign_tenant(tasks.front(), m.from.tenant);
  const auto traceparent = tasks.front().traceparent;
  auto result = co_await submit(*ctx.queue, std::move(tasks));
  if (auto refused = refusal_response(req, result))
    co_return std::move(*refused);
  if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("task {} {} traceparent={}", result.admissions.front().id.to_string(),
                  result.admissions.front().duplicate ? "duplicate" : "accepted", traceparent);

  const auto& a = result.admissions.front();
  char id[36];
  a.id.write_to(id);
  const std::string_view id_text{id, sizeof id};
  std::string out;
  out.reserve(96);
  out.append(R"({"id":")").append(id_text).append(R"(","status":")").append(to_string(a.status));
  if (a.duplicate) {
    out.append(R"(","duplicate":true})");
    co_return json_response(req, bhttp::status::ok, std::move(out));
  }
  out.append(R"("})");
  auto res = json_response(req, bhttp::status::accepted, std::move(out));
  res.set(bhttp::field::location, std::string{"/task/"}.append(id_text));
  co_return res;
}

} // namespace taskmesh::http
