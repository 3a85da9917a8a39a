// File: tests/integration/routes_test.cpp
// Every route's happy path and routing errors through the real server:
// health, submit + Location, the task record's fields, 404/405, unknown ids.
#include <cstdlib>
#include <set>

#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

class Routes : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({"--workers", "2"}); }
};

TEST_F(Routes, HealthIsHealthyWithChecks) {
  const auto r = client().get("/health");
  ASSERT_EQ(r.status, 200u) << r.describe();
  EXPECT_NE(r.header("Content-Type").find("application/json"), std::string::npos)
    << r.describe();
  const auto v = r.json().as_object();
  EXPECT_EQ(str(v, "status"), "healthy") << r.body;
  EXPECT_NO_THROW(sub(v, "checks")) << r.body;
}

TEST_F(Routes, LiveAndReadyAre200WhileServing) {
  auto r = client().get("/health/live");
  EXPECT_EQ(r.status, 200u) << r.describe();
  r = client().get("/health/ready");
  EXPECT_EQ(r.status, 200u) << r.describe();
}

TEST_F(Routes, SubmitAnswers202WithIdStatusAndLocation) {
  const auto r = client().post_json("/task", R"({"type":"echo","payload":"hi"})");
  ASSERT_EQ(r.status, 202u) << r.describe();
  const auto v = r.json().as_object();
  const auto id = str(v, "id");
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(str(v, "status"), "queued") << r.body;
  EXPECT_EQ(r.header("Location"), "/task/" + id) << r.describe();
  // The Location really names the task.
  EXPECT_EQ(str(get_task(client(), id), "id"), id);
}

TEST_F(Routes, SubmittedIdsAreDistinct) {
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i)
    ids.insert(submit(client(), R"({"payload":1})"));
  EXPECT_EQ(ids.size(), 20u);
}

TEST_F(Routes, TaskRecordHasEveryFieldWithDefaults) {
  const auto id = submit(client(), R"({"payload":{"k":[1,2]}})"); // type defaults to echo
  const auto t = wait_terminal(client(), id);
  SCOPED_TRACE(json::serialize(t));
  for (const char* key : {"id", "type", "status", "priority", "attempts", "max_attempts",
                          "submitted_at", "started_at", "finished_at", "next_attempt_at", "result",
                          "error"})
    EXPECT_TRUE(t.contains(key)) << "missing " << key;
  EXPECT_EQ(str(t, "id"), id);
  EXPECT_EQ(str(t, "type"), "echo");
  EXPECT_EQ(str(t, "status"), "succeeded");
  EXPECT_EQ(str(t, "priority"), "normal");
  EXPECT_EQ(num(t, "attempts"), 1);
  EXPECT_EQ(num(t, "max_attempts"), 3);
  EXPECT_TRUE(t.at("next_attempt_at").is_null());
  EXPECT_TRUE(t.at("error").is_null());
  EXPECT_EQ(t.at("result"), json::parse(R"({"payload":{"k":[1,2]}})"));
  // Timestamps are RFC 3339 with ms, and in order.
  const auto submitted = rfc3339_ms(str(t, "submitted_at"));
  const auto started = rfc3339_ms(str(t, "started_at"));
  const auto finished = rfc3339_ms(str(t, "finished_at"));
  EXPECT_LE(submitted, started);
  EXPECT_LE(started, finished);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  EXPECT_LT(std::abs(now_ms - finished), 60'000) << "finished_at is not about now";
}

TEST_F(Routes, ExplicitFieldsAreEchoedInTheRecord) {
  const auto t = run_task(
    client(), R"({"type":"uppercase","payload":"x","priority":"high","max_attempts":7})");
  SCOPED_TRACE(json::serialize(t));
  EXPECT_EQ(str(t, "type"), "uppercase");
  EXPECT_EQ(str(t, "priority"), "high");
  EXPECT_EQ(num(t, "max_attempts"), 7);
  EXPECT_EQ(str(t, "status"), "succeeded");
}

TEST_F(Routes, UnknownTaskIdIs404) {
  EXPECT_TRUE(is_error(client().get("/task/00000000000000000000000000000000"), 404, "not_found"));
  EXPECT_TRUE(is_error(client().get("/task/does-not-exist"), 404, "not_found"));
}

TEST_F(Routes, MalformedTaskIdIs404) {
  for (const std::string& target : std::vector<std::string>{
         "/task/x", "/task/%00", "/task/..%2Fstats", "/task/%ZZ", "/task/" + std::string(600, 'a'),
        "/task/a%20b", "/task/-1"}) {
    SCOPED_TRACE(target);
    EXPECT_TRUE(is_error(client().get(target), 404, "not_found"));
  }
}

TEST_F(Routes, UnknownRouteIs404) {
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
         {"GET", "/ui/nope.js"}, {"GET", "/nope"}, {"POST", "/taskz"}, {"GET", "/health/deep"},
         {"GET", "/stats/extra"}}) {
    SCOPED_TRACE(method + " " + target);
    EXPECT_TRUE(
      is_error(client().request(method, target, "", {}), 404, "not_found", std::nullopt, true));
  }
}

TEST_F(Routes, WrongMethodIs405WithAllow) {
  struct probe {
    std::string method, target, allowed;
  };
  const auto id = submit(client(), R"({"payload":"x"})");
  for (const auto& p : std::vector<probe>{{"DELETE", "/task", "POST"},
                                          {"GET", "/task", "POST"},
                                          {"PUT", "/task", "POST"},
                                          {"GET", "/tasks", "POST"},
                                          {"POST", "/stats", "GET"},
                                          {"PUT", "/task/" + id, "GET, DELETE"},
                                          {"POST", "/task/" + id, "GET, DELETE"},
                                          {"POST", "/", "GET"},
                                          {"POST", "/health", "GET"},
                                          {"PUT", "/health/ready", "GET"},
                                          {"DELETE", "/health/live", "GET"},
                                          {"POST", "/metrics", "GET"}}) {
    SCOPED_TRACE(p.method + " " + p.target);
    const auto r = client().request(p.method, p.target, "", {});
    EXPECT_TRUE(is_error(r, 405, "method_not_allowed", std::nullopt, true));
    EXPECT_NE(r.header("Allow").find(p.allowed), std::string::npos) << r.describe();
  }
}

} // namespace
} // namespace taskmesh::it
