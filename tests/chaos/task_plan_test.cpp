// File: tests/chaos/task_plan_test.cpp
// The verifier's planned tasks: keys unique per run and slot, bodies that
// are valid task JSON, and expected results that match what the ops return
// (sha256 against a known vector; wordcount and uppercase by construction).
#include <gtest/gtest.h>

#include <set>

#include <boost/json/parse.hpp>

#include "chaos/verify/task_plan.hpp"

namespace taskmesh::verify {
namespace {

namespace json = boost::json;

TEST(TaskPlan, Sha256MatchesAKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TaskPlan, EverySlotHasItsOwnKeyAndTheSameBodyEachTime) {
  std::set<std::string> keys;
  for (std::uint64_t g = 0; g < 300; ++g) {
    const auto t = plan_task("run1", g);
    EXPECT_TRUE(keys.insert(t.key).second) << t.key;
    EXPECT_EQ(plan_task("run1", g).body, t.body); // a retry resends the same task
    const auto body = json::parse(t.body).as_object();
    EXPECT_EQ(body.at("idempotency_key").as_string(), t.key);
    EXPECT_TRUE(body.at("payload").is_string());
  }
  EXPECT_NE(plan_task("run1", 5).key, plan_task("run2", 5).key);
}

TEST(TaskPlan, ExpectedResultsFollowThePayload) {
  const auto sha = plan_task("r", 0);
  const auto sha_body = json::parse(sha.body).as_object();
  EXPECT_EQ(sha_body.at("type").as_string(), "sha256");
  EXPECT_EQ(sha.expected.at("sha256").as_string(), sha256_hex(sha_body.at("payload").as_string()));

  const auto wc = plan_task("r", 4); // 4 % 3 == 1: wordcount with 4 % 7 + 1 = 5 words
  const auto wc_body = json::parse(wc.body).as_object();
  EXPECT_EQ(wc_body.at("type").as_string(), "wordcount");
  EXPECT_EQ(wc_body.at("payload").as_string(), "w0 w1 w2 w3 w4");
  EXPECT_EQ(wc.expected, json::parse(R"({"words":5})"));

  const auto up = plan_task("r", 2);
  EXPECT_EQ(json::parse(up.body).at("payload").as_string(), "key r-2");
  EXPECT_EQ(up.expected, json::parse(R"({"text":"KEY R-2"})"));
}

TEST(TaskPlan, RunIdsAreFreshAndUsableInKeys) {
  const auto a = random_run_id(), b = random_run_id();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 13u);
}

} // namespace
} // namespace taskmesh::verify
