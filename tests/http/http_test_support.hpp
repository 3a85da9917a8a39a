// File: tests/http/http_test_support.hpp
// Running the router and its handlers without sockets: build a request, run
// router::handle() as a coroutine on a local io_context until it answers,
// and read the JSON body back. `bare_context` is a context with no actor
// graph behind it, for everything a handler decides on its own.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "actors/intake_queue.hpp"
#include "actors/ops/registry.hpp"
#include "transport/http/context.hpp"
#include "transport/http/router.hpp"

namespace taskmesh::http_test {

using namespace taskmesh::http;
using namespace std::chrono_literals;

inline request make_request(bhttp::verb verb, std::string target, std::string body = {},
                            std::string content_type = "application/json") {
  request req{verb, target, 11};
  req.set(bhttp::field::host, "localhost");
  if (!content_type.empty())
    req.set(bhttp::field::content_type, content_type);
  if (!body.empty() || verb == bhttp::verb::post) {
    req.body() = std::move(body);
    req.prepare_payload();
  }
  return req;
}

// Runs the request through the router on a fresh io_context. Handlers that
// wait on the actor graph are resumed from actor threads via post(); the
// coroutine and every waiter hold work on the context, so run_for() returns
// once the answer is there and no actor thread is still posting to the
// context (transport/http/actor_await.hpp), or after 5 s.
inline response serve(const router& routes, const request& req, context& ctx) {
  asio::io_context ioc{1};
  auto answer = asio::co_spawn(ioc, routes.handle(req, ctx), asio::use_future);
  ioc.run_for(5s);
  if (answer.wait_for(0s) != std::future_status::ready) {
    ADD_FAILURE() << "no response within 5 s for " << req.method_string() << " " << req.target();
    return response{bhttp::status::internal_server_error, 11};
  }
  return answer.get();
}

inline boost::json::value json_of(const response& res) {
  boost::system::error_code ec;
  auto v = boost::json::parse(res.body(), ec);
  EXPECT_FALSE(ec) << "not JSON: " << res.body();
  return v;
}

// {"error":{"code":...}} -> code ("" if the body has no such shape).
inline std::string error_code_of(const response& res) {
  const auto v = json_of(res);
  if (const auto* o = v.if_object())
    if (const auto* e = o->if_contains("error"))
      if (const auto* code = e->as_object().if_contains("code"))
        return std::string(code->as_string());
  return {};
}

// A context with everything a handler reads except an actor graph.
struct bare_context {
  explicit bare_context(std::size_t capacity = 100) : queue(capacity, 1) {
    queue.on_wake([] {});
    ctx.ops = &ops;
    ctx.queue = &queue;
    ctx.health = &health;
    health.started = true;
  }

  op_registry ops = op_registry::builtin();
  intake_queue queue;
  health_state health;
  context ctx;
};

} // namespace taskmesh::http_test
