// File: tests/integration/ui_test.cpp
// The web UI as the server hands it out: the page at / with a strict
// Content-Security-Policy, its scripts and styles under /ui/ (uPlot
// included: compiled into the binary, nothing fetched from elsewhere), and
// 404 for anything else. The browser test (tests/browser) drives the page.
#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

class Ui : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({}); }
};

TEST_F(Ui, PageIsServedWithAStrictContentSecurityPolicy) {
  const auto r = client().get("/");
  ASSERT_EQ(r.status, 200u) << r.describe();
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  const auto csp = r.header("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_NE(r.body.find("<script src=\"/ui/app.js\""), std::string::npos);
  // Nothing on the page points outside this server.
  EXPECT_EQ(r.body.find("http://"), std::string::npos);
  EXPECT_EQ(r.body.find("https://"), std::string::npos);
}

TEST_F(Ui, AssetsAreServedFromTheBinary) {
  for (const auto* path : {"/ui/app.js", "/ui/uPlot.min.js"}) {
    const auto r = client().get(path);
    ASSERT_EQ(r.status, 200u) << path;
    EXPECT_EQ(r.header("Content-Type"), "text/javascript; charset=utf-8") << path;
    EXPECT_GT(r.body.size(), 1000u) << path;
  }
  for (const auto* path : {"/ui/style.css", "/ui/uPlot.min.css"})
    EXPECT_EQ(client().get(path).header("Content-Type"), "text/css; charset=utf-8") << path;
  EXPECT_NE(client().get("/ui/uPlot.min.js").body.find("uPlot"), std::string::npos);
}

TEST_F(Ui, UnknownAssetIs404) {
  EXPECT_TRUE(is_error(client().get("/ui/nope.js"), 404, "not_found"));
  EXPECT_TRUE(is_error(client().request("POST", "/", "{}", {{"Content-Type", "application/json"}}),
                       405, "method_not_allowed"));
}

} // namespace
} // namespace taskmesh::it
