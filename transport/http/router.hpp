// File: transport/http/router.hpp
// The route table: {verb, path pattern} -> handler. Patterns are literal
// paths or have one "{param}" segment ("/task/{id}", "/task/{id}/events"). A path that matches
// a pattern under another verb gets 405 with Allow; no match at all is 404.
// Before any of that is answered, the access gate (access/gate.hpp) checks
// the caller: every route needs a token unless it is marked open, so a new
// route is protected without doing anything.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "transport/http/access/gate.hpp"
#include "transport/http/body_stream.hpp"
#include "transport/http/context.hpp"
#include "transport/http/types.hpp"

namespace taskmesh::http {

struct route_match {
  std::string_view param; // the {param} segment, if the pattern has one
  caller from;            // who is asking (set by the access gate)
};

using handler = awaitable<response> (*)(const request&, const route_match&, context&);
// A route that answers with a stream (SSE): fills `body` to keep writing
// after the head; leaves it empty to answer with the plain response.
using stream_handler = awaitable<response> (*)(const request&, const route_match&, context&,
                                               std::unique_ptr<body_stream>& body);

struct route {
  bhttp::verb verb;
  std::string_view pattern;
  handler handle;
  route_access access = route_access::token;
  route_cost cost = route_cost::per_request;
  stream_handler stream = nullptr; // set instead of `handle` for streaming routes
};

class router {
public:
  explicit router(std::vector<route> routes) : routes_(std::move(routes)) {}

  // The taskmesh API (see handlers/).
  static router api();
  // A cluster worker pod: health, metrics and stats only.
  static router worker();

  struct lookup {
    const route* found = nullptr;     // nullptr: see allow
    const route* same_path = nullptr; // a route for this path under another verb
    std::string allow;                // non-empty: path known, verb not ("GET, POST")
    route_match match;
  };
  lookup find(bhttp::verb verb, std::string_view target) const;

  // Runs the access gate (ctx.gate), dispatches, answers 404/405 itself,
  // and records metrics. `client` is the peer's address (the rate-limit
  // bucket when there are no tokens), taken by value because a coroutine
  // keeps only a reference to a reference parameter, and a caller's
  // temporary address dies before the first resume. A streaming route fills *body (when
  // the caller can stream, i.e. body is not null).
  awaitable<response> handle(const request& req, context& ctx, asio::ip::address client = {},
                             std::unique_ptr<body_stream>* body = nullptr) const;

  const std::vector<route>& routes() const noexcept { return routes_; }

private:
  std::vector<route> routes_;
};

} // namespace taskmesh::http
