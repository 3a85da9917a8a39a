// File: tests/cluster/tenancy_test.cpp
// Tenants across pods (--auth-tokens-file on two api pods and two workers):
// a task submitted on one api pod is readable on the other by its tenant
// only, with a result written by a worker pod (so the tenant travelled in
// the NATS message and the Valkey record); an idempotency key holds across
// the pods within a tenant and not across tenants; and each pod answers 401
// without a token.
#include "tests/cluster/cluster_fixture.hpp"
#include "tests/support/tenants.hpp"

namespace taskmesh::cluster_it {
namespace {

using test_support::as_tenant;
using test_support::tokens_file;
using test_support::acme_token;
using test_support::bravo_token;
using test_support::two_tenants;


class Tenancy : public ClusterTest {};

TEST_F(Tenancy, TenantsHoldAcrossTwoApiPods) {
  tokens_file tokens{two_tenants()};
  auto options = with_flags({"--auth-tokens-file", tokens.path()});
  options.apis = 2;
  start(std::move(options));
  auto& pod_a = cluster().api(0).client();
  auto& pod_b = cluster().api(1).client();
  as_tenant acme_a{pod_a, acme_token};
  as_tenant acme_b{pod_b, acme_token};
  as_tenant bravo_b{pod_b, bravo_token};

  const auto r = acme_a.post_json("/task", R"({"type":"uppercase","payload":"acme"})");
  ASSERT_EQ(r.status, 202u) << r.describe();
  const auto id = str(r.json().as_object(), "id");
  ASSERT_TRUE(wait_until(
    [&] {
      const auto t = acme_b.get("/task/" + id);
      return t.status == 200 && str(t.json().as_object(), "status") == "succeeded";
    },
    20s))
    << acme_b.get("/task/" + id).describe();
  // Written by a worker pod, still acme's.
  EXPECT_EQ(str(sub(acme_b.get("/task/" + id).json().as_object(), "result"), "text"), "ACME");
  const auto foreign = bravo_b.get("/task/" + id);
  EXPECT_TRUE(is_error(foreign, 404, "not_found")) << foreign.describe();
  EXPECT_EQ(foreign.body, R"({"error":{"code":"not_found","message":"no task with id )" + id +
                            R"("}})");

  // One key: a duplicate across pods within acme, a new task for bravo.
  const std::string body = R"({"payload":"once","idempotency_key":"cross-pod-tenant"})";
  const auto first = acme_a.post_json("/task", body);
  ASSERT_EQ(first.status, 202u) << first.describe();
  const auto acme_id = str(first.json().as_object(), "id");
  const auto again = acme_b.post_json("/task", body);
  ASSERT_EQ(again.status, 200u) << again.describe();
  EXPECT_EQ(str(again.json().as_object(), "id"), acme_id);
  const auto other = bravo_b.post_json("/task", body);
  ASSERT_EQ(other.status, 202u) << "bravo's key is its own: " << other.describe();
  const auto bravo_id = str(other.json().as_object(), "id");
  EXPECT_NE(bravo_id, acme_id);
  as_tenant bravo_a{pod_a, bravo_token};
  const auto bravo_again = bravo_a.post_json("/task", body);
  ASSERT_EQ(bravo_again.status, 200u) << bravo_again.describe();
  EXPECT_EQ(str(bravo_again.json().as_object(), "id"), bravo_id);
  EXPECT_EQ(bravo_a.get("/task/" + acme_id).status, 404u);
  EXPECT_EQ(acme_a.get("/task/" + bravo_id).status, 404u);

  for (auto* p : cluster().processes()) {
    SCOPED_TRACE(p->port());
    auto c = p->new_client();
    const auto refused = c.get("/stats");
    EXPECT_EQ(refused.status, 401u) << refused.describe();
    EXPECT_EQ(refused.header("www-authenticate"), "Bearer");
    EXPECT_EQ(c.get("/health/ready").status, 200u);
  }
}

} // namespace
} // namespace taskmesh::cluster_it
