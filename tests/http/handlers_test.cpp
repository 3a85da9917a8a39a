// File: tests/http/handlers_test.cpp
// What the handlers decide on their own, before or without the actor graph:
// content type and draining checks on submissions, body parsing errors, the
// queue_full refusal, and the health endpoints under every health_state.
#include <gtest/gtest.h>

#include "tests/http/http_test_support.hpp"

namespace taskmesh::http_test {
namespace {

using v = bhttp::verb;

class Handlers : public ::testing::Test {
protected:
  response post(std::string target, std::string body,
                std::string content_type = "application/json") {
    return serve(api, make_request(v::post, std::move(target), std::move(body),
                                   std::move(content_type)),
                 b.ctx);
  }
  response get(std::string target) { return serve(api, make_request(v::get, target), b.ctx); }

  router api = router::api();
  bare_context b;
};

TEST_F(Handlers, SubmissionsNeedJsonContentType) {
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "",
                           "application/jsonp", "json"}) {
    SCOPED_TRACE(type);
    for (const char* target : {"/task", "/tasks"}) {
      const auto res = post(target, R"({"type":"echo"})", type);
      EXPECT_EQ(res.result(), bhttp::status::unsupported_media_type);
      EXPECT_EQ(res[bhttp::field::content_type], "application/json");
      EXPECT_EQ(error_code_of(res), "unsupported_media_type");
    }
  }
  EXPECT_EQ(b.queue.backlog(), 0); // nothing reached the queue
}

TEST_F(Handlers, JsonContentTypeVariantsAreAccepted) {
  // Accepted by the content check: they get as far as body parsing.
  for (const char* type : {"application/json", "application/json; charset=utf-8",
                           "Application/JSON", "application/json ;charset=UTF-8"}) {
    SCOPED_TRACE(type);
    const auto res = post("/task", "{", type);
    EXPECT_EQ(res.result(), bhttp::status::bad_request);
    EXPECT_EQ(error_code_of(res), "invalid_json");
  }
}

TEST_F(Handlers, MalformedJsonIsInvalidJson) {
  for (const char* body : {"{", "", "not json", R"({"type":"echo",})", "[1,2", "\"abc"}) {
    SCOPED_TRACE(body);
    for (const char* target : {"/task", "/tasks"}) {
      const auto res = post(target, body);
      EXPECT_EQ(res.result(), bhttp::status::bad_request);
      EXPECT_EQ(error_code_of(res), "invalid_json");
    }
  }
}

TEST_F(Handlers, InvalidTaskNamesTheField) {
  auto res = post("/task", R"({"type":"echo","priority":"urgent"})");
  EXPECT_EQ(res.result(), bhttp::status::bad_request);
  EXPECT_EQ(error_code_of(res), "invalid_field");
  EXPECT_EQ(json_of(res).at("error").at("field").as_string(), "priority");

  res = post("/tasks", R"([{"type":"echo"},{"type":"nope"}])");
  EXPECT_EQ(res.result(), bhttp::status::bad_request);
  EXPECT_EQ(json_of(res).at("error").at("field").as_string(), "[1].type");
  EXPECT_EQ(b.queue.backlog(), 0); // all-or-nothing
}

TEST_F(Handlers, DrainingRefusesNewTasks) {
  b.health.draining = true;
  for (const char* target : {"/task", "/tasks"}) {
    const auto res = post(target, R"({"type":"echo"})");
    EXPECT_EQ(res.result(), bhttp::status::service_unavailable);
    EXPECT_EQ(error_code_of(res), "shutting_down");
    EXPECT_EQ(res[bhttp::field::retry_after], "1");
  }
  // The content type is checked first.
  EXPECT_EQ(post("/task", "{}", "text/plain").result(), bhttp::status::unsupported_media_type);
  EXPECT_EQ(b.queue.backlog(), 0);
}

TEST_F(Handlers, FullQueueIsQueueFull) {
  bare_context full{0};
  auto res = serve(api, make_request(v::post, "/task", R"({"type":"echo","payload":1})"),
                   full.ctx);
  EXPECT_EQ(res.result(), bhttp::status::service_unavailable);
  EXPECT_EQ(error_code_of(res), "queue_full");
  EXPECT_EQ(res[bhttp::field::retry_after], "1");
  res = serve(api, make_request(v::post, "/tasks", R"([{"type":"echo"},{"type":"echo"}])"),
              full.ctx);
  EXPECT_EQ(error_code_of(res), "queue_full");
  EXPECT_EQ(full.queue.backlog(), 0);
}

TEST_F(Handlers, HealthWhenStarted) {
  const auto res = get("/health");
  EXPECT_EQ(res.result(), bhttp::status::ok);
  EXPECT_EQ(res[bhttp::field::content_type], "application/json");
  const auto body = json_of(res);
  EXPECT_EQ(body.at("status").as_string(), "healthy");
  EXPECT_EQ(body.at("mode").as_string(), "embedded");
  EXPECT_EQ(body.at("checks").at("started").as_string(), "ok");
  EXPECT_EQ(body.at("checks").at("draining").as_string(), "ok");
  EXPECT_EQ(body.at("checks").at("queue").as_string(), "ok");
  EXPECT_EQ(get("/health/ready").result(), bhttp::status::ok);
  EXPECT_EQ(json_of(get("/health/ready")).at("status").as_string(), "ready");
  EXPECT_EQ(get("/health/live").result(), bhttp::status::ok);
}

TEST_F(Handlers, HealthWhileStarting) {
  b.health.started = false;
  const auto res = get("/health");
  EXPECT_EQ(res.result(), bhttp::status::service_unavailable);
  const auto body = json_of(res);
  EXPECT_EQ(body.at("status").as_string(), "unhealthy");
  EXPECT_EQ(body.at("checks").at("started").as_string(), "starting");
  const auto ready = get("/health/ready");
  EXPECT_EQ(ready.result(), bhttp::status::service_unavailable);
  EXPECT_EQ(json_of(ready).at("status").as_string(), "starting");
  // Alive regardless.
  const auto live = get("/health/live");
  EXPECT_EQ(live.result(), bhttp::status::ok);
  EXPECT_EQ(json_of(live).at("status").as_string(), "alive");
}

TEST_F(Handlers, HealthWhileDraining) {
  b.health.draining = true;
  const auto res = get("/health");
  EXPECT_EQ(res.result(), bhttp::status::service_unavailable);
  const auto body = json_of(res);
  EXPECT_EQ(body.at("status").as_string(), "unhealthy");
  EXPECT_EQ(body.at("checks").at("started").as_string(), "ok");
  EXPECT_EQ(body.at("checks").at("draining").as_string(), "draining");
  const auto ready = get("/health/ready");
  EXPECT_EQ(ready.result(), bhttp::status::service_unavailable);
  EXPECT_EQ(json_of(ready).at("status").as_string(), "draining");
  EXPECT_EQ(get("/health/live").result(), bhttp::status::ok);
}

TEST_F(Handlers, HealthShowsAFullQueueButStaysReady) {
  bare_context full{2};
  submission s{{task{}, task{}}, nullptr};
  ASSERT_TRUE(full.queue.try_push(s));
  const auto res = serve(api, make_request(v::get, "/health"), full.ctx);
  EXPECT_EQ(res.result(), bhttp::status::ok);
  EXPECT_EQ(json_of(res).at("checks").at("queue").as_string(), "full");
  EXPECT_EQ(serve(api, make_request(v::get, "/health/ready"), full.ctx).result(),
            bhttp::status::ok);
}

TEST_F(Handlers, ModeComesFromTheContext) {
  b.ctx.mode = "cluster";
  EXPECT_EQ(json_of(get("/health")).at("mode").as_string(), "cluster");
}

// Keep-alive is the session's (framing_test.cpp): a handler's answer keeps
// the request's version and does not close the connection on its own.
TEST_F(Handlers, ResponsesKeepTheRequestsVersion) {
  auto req = make_request(v::get, "/health/live");
  req.version(10);
  req.keep_alive(false);
  const auto res = serve(api, req, b.ctx);
  EXPECT_EQ(res.version(), 10u);
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(res[bhttp::field::server], "taskmesh");
  EXPECT_EQ(res[bhttp::field::content_type], "application/json"); // framing: response_wire_test
}

TEST_F(Handlers, TaskIdThatIsNotAUuidIsNotFound) {
  // Answered without asking the store (this context has no graph).
  const auto res = get("/task/not-a-uuid");
  EXPECT_EQ(res.result(), bhttp::status::not_found);
  EXPECT_EQ(error_code_of(res), "not_found");
}

} // namespace
} // namespace taskmesh::http_test
