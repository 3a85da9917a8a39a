// File: tests/http/router_test.cpp
// The route table: exact paths, the "{id}" segment, query strings, what does
// not match (trailing slash, nested paths, case), 405 with its Allow list and
// 404, both from router::find and as the responses router::handle builds.
#include <gtest/gtest.h>

#include "tests/http/http_test_support.hpp"
#include "transport/http/handlers/handlers.hpp"

namespace taskmesh::http_test {
namespace {

using v = bhttp::verb;

class Router : public ::testing::Test {
protected:
  std::string pattern_of(v verb, std::string_view target) const {
    const auto found = api.find(verb, target);
    return found.found ? std::string(found.found->pattern) : std::string{};
  }

  router api = router::api();
};

TEST_F(Router, ExactPaths) {
  EXPECT_EQ(pattern_of(v::post, "/task"), "/task");
  EXPECT_EQ(pattern_of(v::post, "/tasks"), "/tasks");
  EXPECT_EQ(pattern_of(v::get, "/stats"), "/stats");
  EXPECT_EQ(pattern_of(v::get, "/health"), "/health");
  EXPECT_EQ(pattern_of(v::get, "/health/live"), "/health/live");
  EXPECT_EQ(pattern_of(v::get, "/health/ready"), "/health/ready");
  EXPECT_EQ(pattern_of(v::get, "/metrics"), "/metrics");
  EXPECT_EQ(api.find(v::post, "/task").found->handle, &post_task);
  EXPECT_EQ(api.find(v::get, "/health/ready").found->handle, &get_health_ready);
}

TEST_F(Router, ParamSegment) {
  const auto found = api.find(v::get, "/task/0190a7d2-4b5c-7def-8123-456789abcdef");
  ASSERT_NE(found.found, nullptr);
  EXPECT_EQ(found.found->pattern, "/task/{id}");
  EXPECT_EQ(found.match.param, "0190a7d2-4b5c-7def-8123-456789abcdef");
  EXPECT_TRUE(found.allow.empty());
  // Any single segment is a param; checking it is the handler's business.
  EXPECT_EQ(api.find(v::get, "/task/x").match.param, "x");
  EXPECT_EQ(api.find(v::get, "/task/%20").match.param, "%20");
}

TEST_F(Router, QueryStringsAreIgnored) {
  EXPECT_EQ(pattern_of(v::get, "/stats?pretty=1"), "/stats");
  EXPECT_EQ(pattern_of(v::post, "/task?"), "/task");
  const auto found = api.find(v::get, "/task/abc?fields=status&x=/y");
  ASSERT_NE(found.found, nullptr);
  EXPECT_EQ(found.match.param, "abc");
}

TEST_F(Router, NearMissesDoNotMatch) {
  for (const char* target : {"/stats/", "/task/", "/tasks/", "/task/a/b", "/task/a/", "/STATS",
                             "/Task", "/health/", "/health/live/x", "", "/taskx",
                             "/metrics.txt", "//stats"}) {
    SCOPED_TRACE(target);
    for (auto verb : {v::get, v::post}) {
      const auto found = api.find(verb, target);
      EXPECT_EQ(found.found, nullptr);
      EXPECT_TRUE(found.allow.empty()) << found.allow;
    }
  }
}

TEST_F(Router, KnownPathOtherVerbListsAllowedVerbs) {
  EXPECT_EQ(api.find(v::delete_, "/task").allow, "POST");
  EXPECT_EQ(api.find(v::get, "/task").allow, "POST");
  EXPECT_EQ(api.find(v::put, "/task/x").allow, "GET, DELETE");
  EXPECT_EQ(api.find(v::post, "/task/x").allow, "GET, DELETE");
  EXPECT_EQ(api.find(v::post, "/").allow, "GET"); // the web UI
  EXPECT_EQ(api.find(v::get, "/tasks").allow, "POST");
  EXPECT_EQ(api.find(v::post, "/stats").allow, "GET");
  EXPECT_EQ(api.find(v::delete_, "/metrics?x").allow, "GET");
  EXPECT_EQ(api.find(v::delete_, "/task").found, nullptr);
}

TEST_F(Router, AllowListsEveryVerbOfThePath) {
  const router r{{
    {v::get, "/thing", get_health_live},
    {v::put, "/thing", get_health_live},
    {v::get, "/thing/{id}", get_health_live},
  }};
  EXPECT_EQ(r.find(v::delete_, "/thing").allow, "GET, PUT");
  EXPECT_EQ(r.find(v::post, "/thing/1").allow, "GET");
  const auto found = r.find(v::put, "/thing");
  ASSERT_NE(found.found, nullptr);
  EXPECT_TRUE(found.allow.empty());
}

TEST_F(Router, MethodNotAllowedResponse) {
  bare_context b;
  const auto res = serve(api, make_request(v::delete_, "/task"), b.ctx);
  EXPECT_EQ(res.result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(res[bhttp::field::allow], "POST");
  EXPECT_EQ(res[bhttp::field::content_type], "application/json");
  EXPECT_EQ(error_code_of(res), "method_not_allowed");
  const auto res2 = serve(api, make_request(v::put, "/task/abc"), b.ctx);
  EXPECT_EQ(res2.result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(res2[bhttp::field::allow], "GET, DELETE");
}

TEST_F(Router, NotFoundResponse) {
  bare_context b;
  const auto res = serve(api, make_request(v::get, "/nope?secret=1"), b.ctx);
  EXPECT_EQ(res.result(), bhttp::status::not_found);
  EXPECT_FALSE(res.contains(bhttp::field::allow));
  EXPECT_EQ(error_code_of(res), "not_found");
  const auto msg = json_of(res).at("error").at("message").as_string();
  EXPECT_EQ(msg, "no route for GET /nope");
  EXPECT_EQ(serve(api, make_request(v::get, "/task/"), b.ctx).result(), bhttp::status::not_found);
  EXPECT_EQ(serve(api, make_request(v::get, "/task/a/b"), b.ctx).result(),
            bhttp::status::not_found);
}

} // namespace
} // namespace taskmesh::http_test
