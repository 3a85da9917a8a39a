// File: tests/http/graph_handlers_test.cpp
// Handlers that talk to the actor graph, against the real thing: a threaded
// caf::actor_system running spawn_graph() with the in-memory store. The
// handler coroutine waits on the graph without blocking; serve() keeps the
// local io_context running until the answer was posted back.
#include <thread>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "actors/graph.hpp"
#include "actors/memory_store.hpp"
#include "tests/http/http_test_support.hpp"
#include "transport/http/request_metrics.hpp"

namespace taskmesh::http_test {
namespace {

using v = bhttp::verb;

class live_config : public caf::actor_system_config {
public:
  live_config() {
    add_message_types<caf::id_block::taskmesh>();
    set("scheduler.max-threads", 2);
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

std::vector<std::string> route_labels(const router& r) {
  std::vector<std::string> out;
  for (const auto& route : r.routes())
    out.emplace_back(route.pattern);
  return out;
}

class GraphHandlers : public ::testing::Test {
protected:
  GraphHandlers() {
    auto store = sys.spawn(memory_store, store_config{}, &gauges);
    graph_config config;
    config.workers = 2;
    config.stats.workers = 2;
    graph = spawn_graph(sys, config, {&ops, &queue, &gauges, &metrics}, graph_seams{store, store, {}, true, true});
    health.started = true;
    ctx.ops = &ops;
    ctx.queue = &queue;
    ctx.bridge = graph.bridge;
    ctx.health = &health;
    ctx.registry = &registry;
    ctx.http_metrics = &http_metrics;
  }

  ~GraphHandlers() override { graph.stop(); }

  response post(std::string target, std::string body) {
    return serve(api, make_request(v::post, std::move(target), std::move(body)), ctx);
  }
  response get(std::string target) { return serve(api, make_request(v::get, target), ctx); }

  // Polls GET /task/{id} until the task is terminal (real threads run it).
  boost::json::value await_terminal(const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
      const auto res = get("/task/" + id);
      EXPECT_EQ(res.result(), bhttp::status::ok) << res.body();
      auto body = json_of(res);
      const auto status = body.at("status").as_string();
      if (status == "succeeded" || status == "failed" || status == "dead" ||
          std::chrono::steady_clock::now() > deadline)
        return body;
      std::this_thread::sleep_for(1ms);
    }
  }

  // Shared objects first: the graph points into them.
  router api = router::api();
  op_registry ops = op_registry::builtin();
  intake_queue queue{1000, 1};
  pipeline_gauges gauges;
  prometheus::Registry registry;
  task_metrics metrics{registry, ops};
  request_metrics http_metrics{route_labels(api)};
  health_state health;
  context ctx;

  live_config cfg;
  caf::actor_system sys{cfg};
  actor_graph graph;
};

TEST_F(GraphHandlers, PostTaskThenGetIt) {
  const auto res = post("/task", R"({"type":"uppercase","payload":"hello"})");
  ASSERT_EQ(res.result(), bhttp::status::accepted) << res.body();
  const auto body = json_of(res);
  const std::string id{body.at("id").as_string()};
  EXPECT_EQ(body.at("status").as_string(), "queued");
  EXPECT_FALSE(body.as_object().contains("duplicate"));
  EXPECT_EQ(res[bhttp::field::location], "/task/" + id);
  ASSERT_TRUE(task_id::parse(id));

  const auto record = await_terminal(id);
  EXPECT_EQ(record.at("id").as_string(), id);
  EXPECT_EQ(record.at("type").as_string(), "uppercase");
  EXPECT_EQ(record.at("status").as_string(), "succeeded");
  EXPECT_EQ(record.at("result").at("text").as_string(), "HELLO");
  EXPECT_EQ(record.at("attempts").as_int64(), 1);
  EXPECT_TRUE(record.at("error").is_null());
}

TEST_F(GraphHandlers, RepeatedIdempotencyKeyAnswers200WithTheOriginal) {
  const auto first = post("/task", R"({"type":"echo","payload":1,"idempotency_key":"k-1"})");
  ASSERT_EQ(first.result(), bhttp::status::accepted) << first.body();
  const std::string id{json_of(first).at("id").as_string()};
  const auto again = post("/task", R"({"type":"echo","payload":2,"idempotency_key":"k-1"})");
  ASSERT_EQ(again.result(), bhttp::status::ok) << again.body();
  const auto body = json_of(again);
  EXPECT_EQ(body.at("id").as_string(), id);
  EXPECT_TRUE(body.at("duplicate").as_bool());
  EXPECT_FALSE(again.contains(bhttp::field::location));
}

TEST_F(GraphHandlers, PostTasksReturnsIdsInOrder) {
  const auto res = post("/tasks", R"([{"type":"echo","payload":"a","idempotency_key":"b-1"},
                                      {"type":"wordcount","payload":"x y z"},
                                      {"type":"echo","payload":"c","idempotency_key":"b-1"}])");
  ASSERT_EQ(res.result(), bhttp::status::accepted) << res.body();
  const auto ids = json_of(res).at("ids").as_array();
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[2], ids[0]); // the duplicate key yields the original's id
  EXPECT_NE(ids[1], ids[0]);
  const auto counted = await_terminal(std::string(ids[1].as_string()));
  EXPECT_EQ(counted.at("result").at("words").as_int64(), 3);
}

TEST_F(GraphHandlers, UnknownTaskIsNotFound) {
  const auto res = get("/task/" + task_id::generate().to_string());
  EXPECT_EQ(res.result(), bhttp::status::not_found);
  EXPECT_EQ(error_code_of(res), "not_found");
}

TEST_F(GraphHandlers, StatsAddsUp) {
  const auto a = post("/task", R"({"type":"echo","payload":1})");
  const auto b = post("/task", R"({"type":"fail","payload":"x"})");
  await_terminal(std::string(json_of(a).at("id").as_string()));
  await_terminal(std::string(json_of(b).at("id").as_string()));
  // Workers report to stats right after the store update: poll briefly.
  boost::json::value body;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  do {
    const auto res = get("/stats");
    ASSERT_EQ(res.result(), bhttp::status::ok);
    body = json_of(res);
  } while (body.at("worker_processed_count").as_int64() < 2 &&
           std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(body.at("mode").as_string(), "embedded");
  EXPECT_EQ(body.at("submitted").as_int64(), 2);
  EXPECT_EQ(body.at("succeeded").as_int64(), 1);
  EXPECT_EQ(body.at("failed").as_int64(), 1);
  EXPECT_EQ(body.at("worker_processed_count").as_int64(), 2);
  EXPECT_EQ(body.at("queue_backlog_length").as_int64(), 0);
  EXPECT_EQ(body.at("valkey_keys_count").as_int64(), 2);
  EXPECT_EQ(body.at("workers").as_int64(), 2);
  EXPECT_EQ(body.at("by_type").at("echo").at("succeeded").as_int64(), 1);
  EXPECT_EQ(body.at("by_type").at("fail").at("failed").as_int64(), 1);
  EXPECT_EQ(body.at("queue_wait_ms").at("samples").as_int64(), 2);
}

TEST_F(GraphHandlers, MetricsExposition) {
  const auto posted = post("/task", R"({"type":"echo","payload":1})");
  await_terminal(std::string(json_of(posted).at("id").as_string()));
  get("/nope");
  const auto res = get("/metrics");
  ASSERT_EQ(res.result(), bhttp::status::ok);
  EXPECT_EQ(res[bhttp::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  const auto& text = res.body();
  for (const char* expected : {
         "# TYPE taskmesh_tasks_submitted_total counter",
         "taskmesh_tasks_submitted_total{type=\"echo\"} 1",
         "# TYPE taskmesh_http_requests_total counter",
         "taskmesh_http_requests_total{route=\"/task\",code=\"202\"} 1",
         "taskmesh_http_requests_total{route=\"unmatched\",code=\"404\"} 1",
         "# TYPE taskmesh_http_request_duration_seconds histogram",
         "taskmesh_http_request_duration_seconds_bucket{route=\"/task\",le=\"+Inf\"} 1",
         "taskmesh_queue_depth 0",
       }) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected;
  }
}

} // namespace
} // namespace taskmesh::http_test
