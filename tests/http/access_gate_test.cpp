// File: tests/http/access_gate_test.cpp
// The access gate as the router runs it: which routes need a token (all but
// the open ones, unknown paths included), the 401 shape with
// WWW-Authenticate, /metrics with and without --metrics-public, the caller a
// handler sees, 429 with Retry-After, per-task charging left to the handler,
// and a reload that swaps tokens or keeps the old ones.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "tests/http/http_test_support.hpp"
#include "transport/http/access/gate.hpp"
#include "transport/http/handlers/handlers.hpp"

namespace taskmesh::http_test {
namespace {

using v = bhttp::verb;
const std::string acme_token = "acme-0123456789abcdef";
const std::string bravo_token = "bravo-0123456789abcdef";

// A tokens file in the temp directory, removed with the object.
struct tokens_file {
  explicit tokens_file(const std::string& text)
    : path((std::filesystem::temp_directory_path() /
            ("taskmesh-tokens-" + std::to_string(getpid()) + "-" + std::to_string(++counter)))
             .string()) {
    write(text);
  }
  ~tokens_file() { std::remove(path.c_str()); }
  void write(const std::string& text) const {
    std::ofstream{path, std::ios::trunc} << text;
  }
  std::string path;
  static inline int counter = 0;
};

request with_token(request req, const std::string& token) {
  req.set(bhttp::field::authorization, "Bearer " + token);
  return req;
}

// A handler that answers with the caller the gate established.
awaitable<response> echo_caller(const request& req, const route_match& m, context&) {
  response res{bhttp::status::ok, req.version()};
  res.body() = m.from.tenant + "|" + m.from.bucket;
  co_return res;
}

class AccessGate : public ::testing::Test {
protected:
  void SetUp() override { file = std::make_unique<tokens_file>("acme:" + acme_token + "\n"); }

  // A gate with the test's tokens file (or none), a rate limit (0 = off)
  // and --metrics-public.
  access_gate& gate_with(bool tokens, double rate = 0, double burst = 0,
                         bool metrics_public = false) {
    access_config c;
    c.auth_tokens_file = tokens ? file->path : "";
    c.rate_limit = rate;
    c.rate_burst = burst;
    c.metrics_public = metrics_public;
    gate.emplace(c);
    b.ctx.gate = &*gate;
    return *gate;
  }

  router api = router::api();
  bare_context b;
  std::unique_ptr<tokens_file> file;
  std::optional<access_gate> gate;
};

TEST_F(AccessGate, EveryRouteButHealthNeedsAToken) {
  gate_with(true);
  for (auto [verb, target] : std::vector<std::pair<v, std::string>>{
         {v::post, "/task"}, {v::post, "/tasks"}, {v::get, "/task/0190a7d2-4b5c-7def-8123-456789abcdef"},
         {v::get, "/stats"}, {v::get, "/metrics"}, {v::get, "/nope"}, {v::delete_, "/task"}}) {
    SCOPED_TRACE(target);
    const auto res = serve(api, make_request(verb, target), b.ctx);
    EXPECT_EQ(res.result(), bhttp::status::unauthorized);
    EXPECT_EQ(res[bhttp::field::www_authenticate], "Bearer");
    EXPECT_EQ(error_code_of(res), "unauthorized");
  }
  for (const char* target : {"/health", "/health/live", "/health/ready"}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(serve(api, make_request(v::get, target), b.ctx).result(), bhttp::status::ok);
  }
}

TEST_F(AccessGate, MalformedAndUnknownTokensAreRefusedAlike) {
  gate_with(true);
  for (const auto& header : std::vector<std::string>{"Bearer wrong-token-0123456789",
                                                     "Basic " + acme_token, acme_token,
                                                     "Bearer " + acme_token + " x", "Bearer"}) {
    SCOPED_TRACE(header);
    auto req = make_request(v::get, "/stats");
    req.set(bhttp::field::authorization, header);
    const auto res = serve(api, req, b.ctx);
    EXPECT_EQ(res.result(), bhttp::status::unauthorized);
    EXPECT_EQ(res[bhttp::field::www_authenticate], "Bearer");
    EXPECT_EQ(res.body().find(acme_token), std::string::npos) << "a token in an error body";
  }
}

TEST_F(AccessGate, HandlersSeeTheTenantOfTheToken) {
  gate_with(true);
  const router r{{{v::get, "/who", echo_caller}}};
  const auto res = serve(r, with_token(make_request(v::get, "/who"), acme_token), b.ctx);
  EXPECT_EQ(res.result(), bhttp::status::ok);
  EXPECT_EQ(res.body(), "acme|") << "no rate limit: no bucket";
}

TEST_F(AccessGate, OpenRoutesNeedNothing) {
  gate_with(true, 1, 1);
  const router r{{{v::get, "/", echo_caller, route_access::open}}};
  for (int i = 0; i < 5; ++i) // neither a token nor a rate limit
    EXPECT_EQ(serve(r, make_request(v::get, "/"), b.ctx).result(), bhttp::status::ok) << i;
}

TEST_F(AccessGate, MetricsArePublicOnlyWhenAsked) {
  gate_with(true, 0, 0, true);
  const router r{{{v::get, "/metrics", echo_caller, route_access::metrics},
                  {v::get, "/stats", echo_caller}}};
  EXPECT_EQ(serve(r, make_request(v::get, "/metrics"), b.ctx).result(), bhttp::status::ok);
  EXPECT_EQ(serve(r, make_request(v::get, "/stats"), b.ctx).result(), bhttp::status::unauthorized);
  gate_with(true);
  EXPECT_EQ(serve(r, make_request(v::get, "/metrics"), b.ctx).result(), bhttp::status::unauthorized);
  EXPECT_EQ(serve(r, with_token(make_request(v::get, "/metrics"), acme_token), b.ctx).result(),
            bhttp::status::ok);
}

TEST_F(AccessGate, NoTokensFileMeansTheDefaultTenant) {
  gate_with(false);
  const router r{{{v::get, "/who", echo_caller}}};
  const auto res = serve(r, make_request(v::get, "/who"), b.ctx);
  EXPECT_EQ(res.result(), bhttp::status::ok);
  EXPECT_EQ(res.body(), "|");
}

TEST_F(AccessGate, RateLimitPerTenantWithRetryAfter) {
  gate_with(true, 0.5, 2);
  const router r{{{v::get, "/who", echo_caller}}};
  const auto req = with_token(make_request(v::get, "/who"), acme_token);
  EXPECT_EQ(serve(r, req, b.ctx).body(), "acme|acme");
  EXPECT_EQ(serve(r, req, b.ctx).result(), bhttp::status::ok);
  const auto res = serve(r, req, b.ctx);
  EXPECT_EQ(res.result(), bhttp::status::too_many_requests);
  EXPECT_EQ(error_code_of(res), "rate_limited");
  EXPECT_EQ(res[bhttp::field::retry_after], "2");
  // Unauthenticated requests are refused before they touch a bucket.
  EXPECT_EQ(serve(r, make_request(v::get, "/who"), b.ctx).result(), bhttp::status::unauthorized);
}

TEST_F(AccessGate, WithoutTokensTheBucketIsTheClientAddress) {
  gate_with(false, 1, 1);
  const router r{{{v::get, "/who", echo_caller}}};
  asio::io_context ioc{1};
  const auto req = make_request(v::get, "/who"); // outlives the coroutine
  auto from = [&](const char* ip) {
    auto f = asio::co_spawn(ioc, r.handle(req, b.ctx, asio::ip::make_address(ip)),
                            asio::use_future);
    ioc.restart();
    ioc.run();
    return f.get();
  };
  const auto first = from("192.0.2.1");
  EXPECT_EQ(first.body(), "|192.0.2.1");
  EXPECT_EQ(from("192.0.2.1").result(), bhttp::status::too_many_requests);
  EXPECT_EQ(from("192.0.2.2").result(), bhttp::status::ok);
}

TEST_F(AccessGate, PerTaskRoutesAreChargedByTheirHandler) {
  auto& g = gate_with(true, 1, 10);
  const router r{{{v::post, "/tasks", echo_caller, route_access::token, route_cost::per_task}}};
  const auto req = with_token(make_request(v::post, "/tasks", "[]"), acme_token);
  for (int i = 0; i < 20; ++i) // the router takes nothing
    ASSERT_EQ(serve(r, req, b.ctx).result(), bhttp::status::ok) << i;
  caller acme{"acme", "acme"};
  EXPECT_EQ(g.charge(req, acme, 7), std::nullopt);
  const auto refused = g.charge(req, acme, 7);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result(), bhttp::status::too_many_requests);
  EXPECT_EQ((*refused)[bhttp::field::retry_after], "4"); // 3 left, 7 needed, 1/s
  EXPECT_EQ(g.charge(req, acme, 3), std::nullopt);
}

TEST_F(AccessGate, ReloadSwapsTokensAndABadFileKeepsTheOldOnes) {
  auto& g = gate_with(true);
  const auto gets_in = [&](const std::string& token) {
    return serve(api, with_token(make_request(v::get, "/health/live"), token), b.ctx).result() ==
               bhttp::status::ok &&
           serve(api, with_token(make_request(v::get, "/nope"), token), b.ctx).result() ==
             bhttp::status::not_found; // past the gate
  };
  EXPECT_TRUE(gets_in(acme_token));
  EXPECT_FALSE(gets_in(bravo_token));
  file->write("bravo:" + bravo_token + "\n");
  EXPECT_TRUE(g.reload_tokens());
  EXPECT_FALSE(gets_in(acme_token));
  EXPECT_TRUE(gets_in(bravo_token));
  file->write("bravo " + bravo_token + "\n"); // broken
  EXPECT_FALSE(g.reload_tokens());
  EXPECT_TRUE(gets_in(bravo_token)) << "a bad file must keep the old tokens";
  std::remove(file->path.c_str());
  EXPECT_FALSE(g.reload_tokens());
  EXPECT_TRUE(gets_in(bravo_token));
}

TEST_F(AccessGate, ABadFileAtStartUpNamesTheFlag) {
  file->write("acme:short\n");
  try {
    gate_with(true);
    FAIL() << "accepted a short token";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("--auth-tokens-file"), std::string::npos) << e.what();
    EXPECT_NE(std::string{e.what()}.find("line 1"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace taskmesh::http_test
