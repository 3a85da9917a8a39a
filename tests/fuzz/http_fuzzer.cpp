// File: tests/fuzz/http_fuzzer.cpp
// HTTP request bytes -> Beast's parser (with the server's limits) -> router
// -> handler, in-process, against a live actor graph with the in-memory
// store (as embedded mode runs). Requests in one input are pipelined, as on
// one keep-alive connection.
// Checks: no crash or sanitizer report; every handler answers within the
// deadline; Beast's own response parser reads the rendered answer back with
// the same status and body; every answer except /metrics is valid JSON; an
// error answer is a 4xx/5xx with {"error":{"code":...}}.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <future>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <caf/all.hpp>
#include <prometheus/registry.h>

#include "actors/graph.hpp"
#include "actors/memory_store.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "transport/http/context.hpp"
#include "transport/http/request_metrics.hpp"
#include "transport/http/response_wire.hpp"
#include "transport/http/router.hpp"

using namespace taskmesh;
using namespace taskmesh::http;
using namespace std::chrono_literals;

namespace {

class quiet_config : public caf::actor_system_config {
public:
  quiet_config() {
    add_message_types<caf::id_block::taskmesh>();
    set("scheduler.max-threads", 2);
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

std::vector<std::string> labels_of(const router& r) {
  std::vector<std::string> out;
  for (const auto& route : r.routes())
    out.emplace_back(route.pattern);
  return out;
}

// Built once: a fuzzer process serves every input from the same graph.
struct live_server {
  op_registry ops = op_registry::builtin();
  intake_queue queue{10'000, 1};
  pipeline_gauges gauges;
  prometheus::Registry registry;
  task_metrics metrics{registry, ops};
  quiet_config cfg;
  caf::actor_system sys{cfg};
  actor_graph graph;
  health_state health;
  router routes = router::api();
  request_metrics http_metrics{labels_of(routes)};
  context ctx;

  live_server() {
    store_config store;
    store.max_records = 10'000;
    auto store_actor = sys.spawn(memory_store, store, &gauges);
    graph_config config;
    config.workers = 2;
    config.stats.workers = 2;
    config.op_limits = {64 * 1024, std::chrono::milliseconds{200}};
    graph = spawn_graph(sys, config, {&ops, &queue, &gauges, &metrics},
                        graph_seams{store_actor, store_actor, {}, true, true});
    health.started = true;
    ctx.ops = &ops;
    ctx.queue = &queue;
    ctx.bridge = graph.bridge;
    ctx.health = &health;
    ctx.registry = &registry;
    ctx.http_metrics = &http_metrics;
    ctx.limits.max_body = 64 * 1024;
  }
};

// Runs the context until it is out of work, not merely until the answer is
// there: a waiter resumed from an actor thread holds work on the context
// until its post() has returned (transport/http/actor_await.hpp), and
// destroying the context before that is a use-after-scope on the actor
// thread (found by this fuzzer in CI).
response serve(live_server& s, const request& req) {
  asio::io_context ioc{1};
  auto answer = asio::co_spawn(ioc, s.routes.handle(req, s.ctx), asio::use_future);
  ioc.run_for(10s);
  if (answer.wait_for(0s) != std::future_status::ready || !ioc.stopped())
    fuzz::fail("no answer within 10 s", req.target());
  return answer.get();
}

void check_response(const request& req, const response& res, std::string& wire) {
  render(res, wire);
  fuzz::check(wire.starts_with("HTTP/1.1 ") || wire.starts_with("HTTP/1.0 "),
             "response does not start with a status line", wire);
  bhttp::response_parser<bhttp::string_body> reader;
  reader.eager(true);
  reader.body_limit(boost::none);
  boost::system::error_code ec;
  const auto used = reader.put(asio::buffer(wire.data(), wire.size()), ec);
  fuzz::check(!ec && reader.is_done() && used == wire.size(),
              "Beast cannot read back the rendered response", wire);
  fuzz::check(reader.get().result_int() == res.result_int() && reader.get().body() == res.body(),
              "the rendered response reads back different", wire);
  if (req.target().starts_with("/metrics") && res.result_int() == 200)
    return;
  fuzz::check(fuzz::is_json(res.body()), "response body is not JSON", res.body());
  if (res.result_int() >= 400) {
    const auto v = boost::json::parse(res.body());
    const auto* o = v.if_object();
    const auto* e = o ? o->if_contains("error") : nullptr;
    fuzz::check(e && e->is_object() && e->as_object().contains("code"),
                "error answer without an error code", res.body());
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Never destroyed: at exit libFuzzer runs static destructors, and tearing
  // the actor system down there raced CAF's own statics (a SEGV after the
  // run was over). The process ends anyway.
  static live_server& server = *new live_server;
  if (size == 0)
    return 0; // memcpy from libFuzzer's null pointer would be UB
  beast::flat_buffer buffer;
  auto in = buffer.prepare(size);
  std::memcpy(in.data(), data, size);
  buffer.commit(size);
  std::string wire;
  for (int requests = 0; requests < 8 && buffer.size() > 0; ++requests) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(server.ctx.limits.max_header));
    parser.body_limit(server.ctx.limits.max_body);
    parser.eager(true);
    boost::system::error_code ec;
    while (!ec && !parser.is_done() && buffer.size() > 0) {
      const auto used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == bhttp::error::need_more)
        break; // a truncated request: the session would wait, then time out
      if (used == 0 && !ec)
        break;
    }
    if (ec || !parser.is_done())
      return 0; // the session answers 400/413/431 or closes; no handler runs
    const request& req = parser.get();
    check_response(req, serve(server, req), wire);
  }
  return 0;
}
