// File: transport/http/handlers/get_ui.cpp
// GET / and GET /ui/{file}: the web UI (web/), from the files compiled into
// the binary. A strict Content-Security-Policy: the page loads nothing but
// its own scripts and styles and talks only to this server.
#include "transport/http/handlers/handlers.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {
namespace {

constexpr std::string_view content_security_policy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

} // namespace

awaitable<response> get_ui(const request& req, const route_match&, context& ctx) {
  const auto path = req.target().substr(0, req.target().find('?'));
  for (const auto& a : ctx.web) {
    if (a.path != path)
      continue;
    response res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::content_type, a.content_type);
    res.set("Content-Security-Policy", content_security_policy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set(bhttp::field::cache_control, "no-cache");
    res.body() = std::string{a.body};
    co_return res;
  }
  co_return error_response(req, bhttp::status::not_found, "not_found",
                           ctx.web.empty() ? "this build has no web UI (npm was missing at build time)"
                                           : "no such file: " + std::string{path});
}

} // namespace taskmesh::http
