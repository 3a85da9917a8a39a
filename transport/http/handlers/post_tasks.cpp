// File: transport/http/handlers/post_tasks.cpp
// POST /tasks: a JSON array of 1..1000 tasks, validated all-or-nothing,
// accepted as one submission. 202 {"ids":[...]} (a duplicate idempotency key
// yields the original task's id in its slot).
#include <spdlog/spdlog.h>

#include "transport/http/actor_await.hpp"
#include "transport/http/handlers/handlers.hpp"
#include "transport/http/handlers/submission.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {

namespace {

// The validated batch, or the error to answer.
std::variant<std::vector<task>, response> read_batch(const request& req, const context& ctx) {
  if (auto refused = precheck_submission(req, ctx))
    return std::move(*refused);
  auto parsed = parse_tasks_body(req.body(), *ctx.ops, ctx.codec);
  if (auto* e = std::get_if<api_error>(&parsed))
    return error_response(req, *e);
  return std::move(std::get<std::vector<task>>(parsed));
}

} // namespace

awaitable<response> post_tasks(const request& req, const route_match& m, context& ctx) {
  auto batch = read_batch(req, ctx);
  auto* valid = std::get_if<std::vector<task>>(&batch);
  // With --rate-limit a batch costs its number of tasks (a refused one
  // costs 1), charged before anything is submitted: a 429 creates no task.
  if (ctx.gate)
    if (auto limited = ctx.gate->charge(req, m.from, valid ? valid->size() : 1))
      co_return std::move(*limited);
  if (!valid)
    co_return std::move(std::get<response>(batch));

  auto& tasks = *valid;
  const auto traceparent = trace_context_of(req);
  for (auto& t : tasks) {
    t.traceparent = traceparent;
    assign_tenant(t, m.from.tenant);
  }
  auto result = co_await submit(*ctx.queue, std::move(tasks));
  if (auto refused = refusal_response(req, result))
    co_return std::move(*refused);
  if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("{} tasks accepted traceparent={}", result.admissions.size(), traceparent);

  std::string out;
  out.reserve(16 + result.admissions.size() * 39);
  out.append(R"({"ids":[)");
  char id[36];
  for (std::size_t i = 0; i < result.admissions.size(); ++i) {
    result.admissions[i].id.write_to(id);
    out.append(i ? R"(,")" : R"(")").append(id, sizeof id).push_back('"');
  }
  out.append("]}");
  co_return json_response(req, bhttp::status::accepted, std::move(out));
}

} // namespace taskmesh::http
