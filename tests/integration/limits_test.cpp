// File: tests/integration/limits_test.cpp
// --rate-limit / --rate-burst and --max-connections-per-ip against the real
// binary: 429 rate_limited with an integer Retry-After once a tenant's
// bucket is empty, a 429 creates no task and is not counted as submitted, a
// batch costs its number of tasks, tenants do not share buckets, the client
// address is the bucket without tokens, and a client over its connection
// cap has the new connection closed at once while others are served.
#include <charconv>

#include "tests/integration/fixture.hpp"
#include "tests/support/tenants.hpp"

namespace taskmesh::it {
namespace {

using test_support::as_tenant;
using test_support::raw_connection;
using test_support::tokens_file;
using test_support::acme_token;
using test_support::bravo_token;
using test_support::two_tenants;


// The 429 shape: code rate_limited and Retry-After a whole number of
// seconds >= 1. Returns that number (0 when the shape is wrong).
unsigned retry_after_of(const http_response& r) {
  EXPECT_TRUE(is_error(r, 429, "rate_limited", std::nullopt, true));
  const auto text = r.header("retry-after");
  unsigned seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  EXPECT_TRUE(ec == std::errc() && end == text.data() + text.size() && seconds >= 1)
    << "Retry-After: '" << text << "'";
  return seconds;
}

class RateLimit : public integration_test {
protected:
  // A refill so slow (one token per 100 s) that the test controls every
  // token: what passes is exactly the burst.
  static void SetUpTestSuite() {
    tokens = std::make_unique<tokens_file>(two_tenants());
    start_shared({"--auth-tokens-file", tokens->path(), "--metrics-public", "--rate-limit", "0.01",
                  "--rate-burst", "10"});
  }
  static void TearDownTestSuite() {
    integration_test::TearDownTestSuite();
    tokens.reset();
  }
  static inline std::unique_ptr<tokens_file> tokens;
};

TEST_F(RateLimit, OverTheBurstIs429AndCreatesNothing) {
  as_tenant acme{client(), acme_token};
  // 1 + 8 + 1 = the burst of 10: a batch costs its tasks.
  ASSERT_EQ(acme.post_json("/task", R"({"payload":1})").status, 202u);
  const auto batch = acme.post_json("/tasks", repeat_batch(R"({"payload":2})", 8));
  ASSERT_EQ(batch.status, 202u) << batch.describe();
  // A batch of 2 no longer fits in the 1 token left; nothing of it is created.
  const auto too_big = acme.post_json("/tasks", repeat_batch(R"({"payload":3})", 2));
  EXPECT_GE(retry_after_of(too_big), 90u) << "one token per 100 s";
  ASSERT_EQ(acme.post_json("/task", R"({"payload":4})").status, 202u);

  // The bucket is empty: 429 for each route that needs a token.
  const auto metrics_before = client().get("/metrics").body;
  for (const auto& r : {acme.post_json("/task", R"({"payload":5})"), acme.get("/stats"),
                        acme.post_json("/tasks", repeat_batch(R"({"payload":6})", 1))})
    EXPECT_GE(retry_after_of(r), 1u);
  EXPECT_EQ(metric_sum(client().get("/metrics").body, "taskmesh_tasks_submitted_total"),
            metric_sum(metrics_before, "taskmesh_tasks_submitted_total"))
    << "a 429 must not count as submitted";
  EXPECT_EQ(metric_sum(metrics_before, "taskmesh_tasks_submitted_total"), 10);

  // bravo has its own bucket.
  as_tenant bravo{client(), bravo_token};
  EXPECT_EQ(bravo.post_json("/task", R"({"payload":7})").status, 202u);
  // Health is never limited.
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(client().get("/health/ready").status, 200u) << i;
}

TEST(RateLimitWithoutTokens, TheClientAddressIsTheBucket) {
  taskmesh_server s{test_support::topology_from_env(), binary(),
                    {"--rate-limit", "0.01", "--rate-burst", "3"}};
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(s.client().get("/stats").status, 200u) << i;
  const auto r = s.client().get("/stats");
  EXPECT_GE(retry_after_of(r), 90u);
  // Another connection from the same address shares the bucket.
  auto other = s.new_client();
  EXPECT_EQ(other.get("/stats").status, 429u);
  EXPECT_EQ(other.get("/health/live").status, 200u);
}

TEST(RateLimitFlags, BurstNeedsARate) {
  test_support::child_process p{binary(), {"--listen", "127.0.0.1:0", "--rate-burst", "5"}};
  ASSERT_EQ(p.wait_exit(10s), 2) << p.log();
  EXPECT_NE(p.log().find("--rate-burst"), std::string::npos) << p.log();
}

class ConnectionsPerIp : public integration_test {};

TEST_F(ConnectionsPerIp, OverTheCapTheNewConnectionIsClosedAtOnce) {
  auto& s = start_own({"--max-connections-per-ip", "2"});
  // Two connections, each proven open by a request answered on it.
  auto first = s.new_client();
  auto second = s.new_client();
  ASSERT_EQ(first.get("/health/live").status, 200u);
  ASSERT_EQ(second.get("/health/live").status, 200u);

  // A third: closed without a byte, long before any request deadline.
  const auto began = std::chrono::steady_clock::now();
  raw_connection third{s.port()};
  try {
    third.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
  } catch (const std::runtime_error&) {
    // The server may have closed it before the request went out.
  }
  const auto got = third.read_until_close(5s);
  EXPECT_TRUE(third.peer_closed()) << "still open after 5 s";
  EXPECT_EQ(got, "") << "a refused connection gets no answer";
  EXPECT_LT(ms_since(began), 2000) << "closed at once, not on a timeout";

  // The two admitted connections keep working.
  EXPECT_EQ(first.get("/health/live").status, 200u);
  EXPECT_EQ(second.get("/health/live").status, 200u);

  // Once one closes, a new connection is admitted again.
  second.close();
  EXPECT_TRUE(wait_until(
    [&] {
      try {
        auto c = s.new_client(2s);
        return c.get("/health/live").status == 200;
      } catch (const std::exception&) {
        return false;
      }
    },
    10s));
}

TEST_F(ConnectionsPerIp, OffByDefault) {
  auto& s = start_own({});
  std::vector<http_client> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(s.new_client());
    ASSERT_EQ(clients.back().get("/health/live").status, 200u) << i;
  }
}

} // namespace
} // namespace taskmesh::it
