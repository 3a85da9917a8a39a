// File: tests/integration/auth_test.cpp
// --auth-tokens-file against the real binary: 401 with WWW-Authenticate for
// every route but health (missing, malformed and unknown tokens alike),
// /metrics with and without --metrics-public, tasks that belong to their
// tenant (another tenant's id is a 404 exactly like an unknown one),
// idempotency keys per tenant, SIGHUP rotation without a refused request, a
// bad file on reload keeping the old tokens, and tokens never in the log.
#include <atomic>
#include <csignal>
#include <thread>

#include "tests/integration/fixture.hpp"
#include "tests/support/tenants.hpp"

namespace taskmesh::it {
namespace {

using test_support::as_tenant;
using test_support::tokens_file;
using test_support::acme_new_token;
using test_support::acme_token;
using test_support::bravo_token;
using test_support::two_tenants;


::testing::AssertionResult is_401(const http_response& r) {
  if (r.status != 401 || r.header("www-authenticate") != "Bearer")
    return ::testing::AssertionFailure()
           << "expected 401 with WWW-Authenticate: Bearer, got " << r.describe()
           << " (WWW-Authenticate: '" << r.header("www-authenticate") << "')";
  return is_error(r, 401, "unauthorized", std::nullopt, true);
}

class Auth : public integration_test {
protected:
  static void SetUpTestSuite() {
    tokens = std::make_unique<tokens_file>(two_tenants());
    start_shared({"--auth-tokens-file", tokens->path(), "--log-level", "debug"});
  }
  static void TearDownTestSuite() {
    integration_test::TearDownTestSuite();
    tokens.reset();
  }
  static inline std::unique_ptr<tokens_file> tokens;
};

TEST_F(Auth, EveryRouteButHealthNeedsAToken) {
  const std::string some_id = "01a2011d-0000-7000-8000-000000000000";
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
         {"POST", "/task"}, {"POST", "/tasks"}, {"GET", "/task/" + some_id}, {"GET", "/stats"},
         {"GET", "/metrics"}, {"GET", "/no-such-route"}, {"DELETE", "/task"}}) {
    SCOPED_TRACE(method + " " + target);
    const auto r = client().request(method, target, method == "POST" ? R"({"payload":1})" : "",
                                    {{"Content-Type", "application/json"}});
    EXPECT_TRUE(is_401(r));
  }
  for (const char* target : {"/health", "/health/live", "/health/ready"}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(client().get(target).status, 200u);
  }
}

TEST_F(Auth, MalformedAndUnknownTokensAre401) {
  for (const auto& header : std::vector<std::string>{
         "Bearer not-a-known-token-at-all", "Basic YWNtZTpzZWNyZXQ=", acme_token, "Bearer",
         "Bearer " + acme_token + " extra", "Token " + acme_token}) {
    SCOPED_TRACE(header);
    const auto r = client().request("GET", "/stats", {}, {{"Authorization", header}});
    EXPECT_TRUE(is_401(r));
    EXPECT_EQ(r.body.find(acme_token), std::string::npos) << "a token in an error body";
  }
  as_tenant acme{client(), acme_token};
  EXPECT_EQ(acme.post_json("/task", R"({"payload":1})").status, 202u) << "still serving";
}

TEST_F(Auth, ATenantSubmitsAndReadsItsOwnTasks) {
  as_tenant acme{client(), acme_token};
  const auto r = acme.post_json("/task", R"({"type":"uppercase","payload":"mine"})");
  ASSERT_EQ(r.status, 202u) << r.describe();
  const auto id = str(r.json().as_object(), "id");
  ASSERT_TRUE(wait_until([&] { return str(acme.get("/task/" + id).json().as_object(), "status") ==
                                      "succeeded"; },
                         10s));
  const auto task = acme.get("/task/" + id).json().as_object();
  EXPECT_EQ(str(sub(task, "result"), "text"), "MINE");
  EXPECT_EQ(acme.get("/stats").status, 200u);
  EXPECT_EQ(acme.get("/metrics").status, 200u);
}

TEST_F(Auth, AnotherTenantsTaskIsNotFoundExactlyLikeAnUnknownId) {
  as_tenant acme{client(), acme_token};
  as_tenant bravo{client(), bravo_token};
  const auto r = acme.post_json("/task", R"({"payload":"acme only"})");
  ASSERT_EQ(r.status, 202u) << r.describe();
  const auto id = str(r.json().as_object(), "id");
  ASSERT_EQ(acme.get("/task/" + id).status, 200u);

  const std::string unknown_id = "01a2011d-0000-7000-8000-000000000000";
  const auto foreign = bravo.get("/task/" + id);
  const auto unknown = bravo.get("/task/" + unknown_id);
  EXPECT_EQ(foreign.status, 404u) << foreign.describe();
  EXPECT_EQ(foreign.status, unknown.status);
  EXPECT_EQ(foreign.headers.size(), unknown.headers.size());
  for (const auto& [name, value] : unknown.headers)
    if (name != "content-length")
      EXPECT_EQ(foreign.header(name), value) << name;
  auto expected = unknown.body;
  expected.replace(expected.find(unknown_id), unknown_id.size(), id);
  EXPECT_EQ(foreign.body, expected);
  // Still there for its owner, and finished: bravo's reads changed nothing.
  EXPECT_EQ(acme.get("/task/" + id).status, 200u);
}

TEST_F(Auth, BatchTasksBelongToTheirTenant) {
  as_tenant acme{client(), acme_token};
  as_tenant bravo{client(), bravo_token};
  const auto r = acme.post_json("/tasks", repeat_batch(R"({"payload":"b"})", 3));
  ASSERT_EQ(r.status, 202u) << r.describe();
  const auto answer = r.json();
  for (const auto& id : answer.as_object().at("ids").as_array()) {
    const std::string text{id.as_string()};
    EXPECT_EQ(acme.get("/task/" + text).status, 200u);
    EXPECT_EQ(bravo.get("/task/" + text).status, 404u);
  }
}

TEST_F(Auth, IdempotencyKeysArePerTenant) {
  as_tenant acme{client(), acme_token};
  as_tenant bravo{client(), bravo_token};
  const std::string body = R"({"payload":"once","idempotency_key":"order-7"})";
  const auto a1 = acme.post_json("/task", body);
  const auto b1 = bravo.post_json("/task", body);
  ASSERT_EQ(a1.status, 202u) << a1.describe();
  ASSERT_EQ(b1.status, 202u) << "the same key in another tenant is a new task: " << b1.describe();
  const auto acme_id = str(a1.json().as_object(), "id");
  const auto bravo_id = str(b1.json().as_object(), "id");
  EXPECT_NE(acme_id, bravo_id);

  const auto a2 = acme.post_json("/task", body);
  ASSERT_EQ(a2.status, 200u) << a2.describe();
  EXPECT_EQ(str(a2.json().as_object(), "id"), acme_id);
  const auto b2 = bravo.post_json("/task", body);
  ASSERT_EQ(b2.status, 200u) << b2.describe();
  EXPECT_EQ(str(b2.json().as_object(), "id"), bravo_id);
  // The batch route keys per tenant too.
  const auto batch = bravo.post_json("/tasks", "[" + body + "]");
  ASSERT_EQ(batch.status, 202u) << batch.describe();
  EXPECT_EQ(batch.json().as_object().at("ids").as_array().at(0).as_string(), bravo_id);
}

TEST_F(Auth, TokensNeverReachTheLog) {
  as_tenant acme{client(), acme_token};
  ASSERT_EQ(acme.post_json("/task", R"({"payload":"x"})").status, 202u);
  (void)client().request("GET", "/stats", {}, {{"Authorization", "Bearer " + bravo_token + "x"}});
  const auto log = server().front().process().log();
  EXPECT_NE(log.find("auth"), std::string::npos) << "the start-up line about the tokens file";
  for (const auto& token : {acme_token, bravo_token})
    EXPECT_EQ(log.find(token), std::string::npos) << "token in the log:\n" << log;
}

// Own servers: these rewrite the tokens file and signal the process.
class AuthReload : public integration_test {};

TEST_F(AuthReload, SighupRotatesTokensWithoutRefusingARequest) {
  tokens_file file{"acme:" + acme_token + "\nbravo:" + bravo_token + "\n"};
  auto& s = start_own({"--auth-tokens-file", file.path(), "--log-level", "info"});

  // bravo keeps working through every reload; count anything but 200.
  std::atomic<bool> stop{false};
  std::atomic<int> served{0}, refused{0};
  std::string first_refusal;
  std::thread steady([&] {
    auto c = s.new_client();
    as_tenant bravo{c, bravo_token};
    while (!stop) {
      const auto r = bravo.get("/stats");
      if (r.status == 200)
        ++served;
      else if (refused++ == 0)
        first_refusal = r.describe();
    }
  });

  as_tenant acme_old{s.client(), acme_token};
  auto fresh = s.new_client();
  as_tenant acme_new{fresh, acme_new_token};
  EXPECT_EQ(acme_old.get("/stats").status, 200u);
  EXPECT_EQ(acme_new.get("/stats").status, 401u);

  // Step 1 of a rotation: both of acme's tokens.
  file.rewrite("acme:" + acme_token + "\nacme:" + acme_new_token + "\nbravo:" + bravo_token + "\n");
  s.process().signal(SIGHUP);
  EXPECT_TRUE(wait_until([&] { return acme_new.get("/stats").status == 200; }, 10s))
    << s.log_tail();
  EXPECT_EQ(acme_old.get("/stats").status, 200u);
  // Step 2: the old one goes.
  file.rewrite("acme:" + acme_new_token + "\nbravo:" + bravo_token + "\n");
  s.process().signal(SIGHUP);
  EXPECT_TRUE(wait_until([&] { return acme_old.get("/stats").status == 401; }, 10s))
    << s.log_tail();
  EXPECT_EQ(acme_new.get("/stats").status, 200u);

  ASSERT_TRUE(wait_until([&] { return served.load() > 20; }, 10s));
  stop = true;
  steady.join();
  EXPECT_EQ(refused.load(), 0) << "first: " << first_refusal;
  EXPECT_TRUE(s.process().running()) << "SIGHUP must not end the process";
}

TEST_F(AuthReload, ABadFileOnReloadKeepsTheOldTokensAndSaysWhy) {
  tokens_file file{"acme:" + acme_token + "\n"};
  auto& s = start_own({"--auth-tokens-file", file.path(), "--log-level", "info"});
  as_tenant acme{s.client(), acme_token};
  ASSERT_EQ(acme.get("/stats").status, 200u);

  file.rewrite("acme " + acme_new_token + "\n"); // no colon
  s.process().signal(SIGHUP);
  EXPECT_TRUE(wait_until([&] { return s.log_tail().find("keeping the previous tokens") !=
                                      std::string::npos; },
                         10s))
    << s.log_tail();
  EXPECT_NE(s.log_tail().find("line 1: expected name:token"), std::string::npos) << s.log_tail();
  EXPECT_EQ(acme.get("/stats").status, 200u) << "the old table must stay";
  EXPECT_EQ(s.log_tail(100'000).find(acme_new_token), std::string::npos);
  EXPECT_EQ(s.log_tail(100'000).find(acme_token), std::string::npos);
}

TEST_F(AuthReload, MetricsPublicOpensOnlyMetrics) {
  tokens_file file{"acme:" + acme_token + "\n"};
  auto& s = start_own({"--auth-tokens-file", file.path(), "--metrics-public"});
  const auto metrics = s.client().get("/metrics");
  EXPECT_EQ(metrics.status, 200u) << metrics.describe();
  EXPECT_NE(metrics.body.find("taskmesh_http_requests_total"), std::string::npos);
  EXPECT_EQ(metrics.body.find(acme_token), std::string::npos);
  EXPECT_TRUE(is_401(s.client().get("/stats")));
}

TEST_F(AuthReload, WithoutTheFlagNothingChanges) {
  auto& s = start_own({});
  EXPECT_EQ(s.client().get("/stats").status, 200u);
  const auto id = submit(s.client(), R"({"payload":"open"})");
  EXPECT_EQ(s.client().get("/task/" + id).status, 200u);
  // A token is ignored, not an error.
  as_tenant acme{s.client(), acme_token};
  EXPECT_EQ(acme.get("/task/" + id).status, 200u);
}

TEST_F(AuthReload, ABadTokensFileStopsStartUpNamingTheFlag) {
  tokens_file file{"acme:short\n"};
  test_support::child_process p{binary(), {"--listen", "127.0.0.1:0", "--auth-tokens-file", file.path()}};
  ASSERT_EQ(p.wait_exit(10s), 2) << p.log();
  EXPECT_NE(p.log().find("--auth-tokens-file"), std::string::npos) << p.log();
  EXPECT_NE(p.log().find("line 1"), std::string::npos) << p.log();
}

} // namespace
} // namespace taskmesh::it
