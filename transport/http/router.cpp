// File: transport/http/router.cpp
#include "transport/http/router.hpp"

#include <chrono>
#include <optional>
#include <variant>

#include "transport/http/request_metrics.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {
namespace {

bool matches(std::string_view pattern, std::string_view path, route_match& m) {
  const auto brace = pattern.find('{');
  if (brace == std::string_view::npos)
    return pattern == path;
  const auto prefix = pattern.substr(0, brace);
  const auto suffix = pattern.substr(pattern.find('}', brace) + 1); // "/events" or ""
  if (path.size() <= prefix.size() + suffix.size() || !path.starts_with(prefix) ||
      !path.ends_with(suffix))
    return false;
  const auto param = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (param.find('/') != std::string_view::npos)
    return false;
  m.param = param;
  return true;
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

} // namespace

router::lookup router::find(bhttp::verb verb, std::string_view target) const {
  lookup out;
  const auto path = path_of(target);
  for (const auto& r : routes_) {
    route_match m;
    if (!matches(r.pattern, path, m))
      continue;
    if (r.verb == verb) {
      out.found = &r;
      out.match = m;
      out.allow.clear();
      return out;
    }
    if (!out.same_path)
      out.same_path = &r;
    if (!out.allow.empty())
      out.allow += ", ";
    out.allow += bhttp::to_string(r.verb);
  }
  return out;
}

awaitable<response> router::handle(const request& req, context& ctx,
                                   asio::ip::address client,
                                   std::unique_ptr<body_stream>* body) const {
  const auto began = std::chrono::steady_clock::now();
  auto found = find(req.method(), req.target());
  std::string_view route_label = "unmatched";
  // Set once, by whichever branch answers (a response is not built empty
  // first: every response allocates its fields).
  std::optional<response> res;
  if (ctx.gate) {
    // Unknown paths need a token too: without one, nobody learns which exist.
    const auto access = found.found ? found.found->access : route_access::token;
    const auto cost = found.found ? found.found->cost : route_cost::per_request;
    auto verdict = ctx.gate->admit(req, access, cost, client);
    if (auto* who = std::get_if<caller>(&verdict))
      found.match.from = std::move(*who);
    else
      res = std::move(std::get<response>(verdict)); // refused by the access gate
  }
  if (res) {
    route_label = found.found ? found.found->pattern
                  : found.same_path ? found.same_path->pattern : route_label;
  } else if (found.found) {
    route_label = found.found->pattern;
    if (found.found->stream) {
      std::unique_ptr<body_stream> ignored;
      res = co_await found.found->stream(req, found.match, ctx, body ? *body : ignored);
    } else {
      res = co_await found.found->handle(req, found.match, ctx);
    }
  } else if (!found.allow.empty()) {
    route_label = found.same_path->pattern;
    res = error_response(req, bhttp::status::method_not_allowed, "method_not_allowed",
                         std::string{"method "} + std::string{req.method_string()} +
                           " is not allowed here; allowed: " + found.allow);
    res->set(bhttp::field::allow, found.allow);
  } else {
    res = error_response(req, bhttp::status::not_found, "not_found",
                         "no route for " + std::string{req.method_string()} + " " +
                           std::string{path_of(req.target())});
  }
  if (ctx.http_metrics)
    ctx.http_metrics->observe(route_label, res->result_int(), std::chrono::steady_clock::now() - began);
  co_return std::move(*res);
}

} // namespace taskmesh::http
