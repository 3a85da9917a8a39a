// File: tests/ops/budget_test.cpp
// --max-result-bytes and --op-timeout as the ops see them (op_budget): a
// result over the limit fails with result_too_large before it is built, a
// run past its deadline fails with timeout, and the size forecasts are
// exact (a result of exactly the limit passes, one byte more does not).
#include <chrono>
#include <string>

#include <sys/resource.h>

#include "actors/ops/op_support.hpp"
#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

using namespace std::chrono_literals;

op_budget budget_of(std::size_t max_result_bytes, std::chrono::milliseconds timeout = 10s) {
  return op_budget{{max_result_bytes, timeout}, op_budget::clock::now()};
}

// The process's peak resident memory so far (getrusage: ru_maxrss is KiB).
long peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss * 1024L;
}

bool is_too_large(const op_outcome& o) {
  return o.outcome == op_outcome::kind::permanent_failure &&
         o.value.starts_with("result_too_large: ");
}

bool is_timeout(const op_outcome& o) {
  return o.outcome == op_outcome::kind::permanent_failure && o.value.starts_with("timeout: ");
}

// The op's result with an unlimited budget, then the same run with a budget
// of exactly its size (passes) and one byte less (result_too_large).
void expect_exact_forecast(const op_definition& op, std::string_view payload,
                           std::string_view params = "{}") {
  auto unlimited = budget_of(std::size_t{1} << 40);
  const auto full = run_within(unlimited, op, payload, params);
  ASSERT_EQ(full.outcome, op_outcome::kind::ok) << full.value;
  auto exact = budget_of(full.value.size());
  const auto at_limit = run_within(exact, op, payload, params);
  EXPECT_EQ(at_limit.outcome, op_outcome::kind::ok) << at_limit.value;
  EXPECT_EQ(at_limit.value, full.value);
  auto short_by_one = budget_of(full.value.size() - 1);
  EXPECT_TRUE(is_too_large(run_within(short_by_one, op, payload, params)));
}

TEST(JsonStringSize, MatchesWhatAppendJsonStringWrites) {
  std::string every_ascii;
  for (int c = 0; c < 128; ++c)
    every_ascii += static_cast<char>(c);
  for (const std::string& s : {std::string(), std::string("plain"), every_ascii,
                               std::string("\"\\\n\t\x01\x1f\x7f/"), std::string("h\xc3\xa9 \xe2\x82\xac")}) {
    std::string out;
    ops::append_json_string(out, s);
    EXPECT_EQ(ops::json_string_size(s), out.size()) << out;
  }
}

TEST(OpBudget, ForecastsAreExact) {
  const std::string text = "a-b\n\"c\"-\x01-\xc3\xa9";
  expect_exact_forecast(echo_op(), R"({"k":[1,2,"x"]})");
  expect_exact_forecast(uppercase_op(), text);
  expect_exact_forecast(lowercase_op(), text);
  expect_exact_forecast(replace_op(), text, R"({"find":"-","replace":"\n\"long\""})");
  expect_exact_forecast(replace_op(), text, R"({"find":"\n","replace":""})");
  expect_exact_forecast(replace_op(), text, R"({"find":"zz","replace":"y"})");
  expect_exact_forecast(extract_op(), text, R"({"pattern":"[a-c\"]"})");
  expect_exact_forecast(extract_op(), std::string(20, 'x'), R"({"pattern":"x"})");
}

// The issue's case: "a" by 1 KB in 100 KB of "a" would be 100 MB.
TEST(OpBudget, ReplaceFailsBeforeBuildingAHugeResult) {
  const std::string text(100'000, 'a');
  const std::string with(1'000, 'b');
  auto budget = budget_of(1 << 20);
  const auto peak_before = peak_rss_bytes();
  const auto out = run_within(budget, replace_op(), text,
                              R"({"find":"a","replace":")" + with + R"("})");
  EXPECT_TRUE(is_too_large(out)) << out.value.substr(0, 200);
  EXPECT_EQ(out.value, "result_too_large: the result would be larger than 1048576 bytes "
                       "(--max-result-bytes)");
  // Counting 100k matches, not writing 100 MB: the process's peak resident
  // memory did not grow by anything near the result's size (1.2 GB when
  // the budget allows it). ctest runs each test in a process of its own,
  // so the peak starts low.
  EXPECT_LT(peak_rss_bytes() - peak_before, 16L << 20);
}

TEST(OpBudget, ReplaceWithALongNeedleIsLinear) {
  // string_view::find compared at every 'a' here: O(text x needle).
  const std::string text(1 << 20, 'a');
  const std::string needle = std::string(100'000, 'a') + "b";
  auto budget = budget_of(4 << 20);
  const auto start = std::chrono::steady_clock::now();
  const auto out = run_within(budget, replace_op(), text,
                              R"({"find":")" + needle + R"(","replace":"x"})");
  ASSERT_EQ(out.outcome, op_outcome::kind::ok);
  EXPECT_TRUE(out.value.ends_with(R"(,"replacements":0})"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(OpBudget, EscapesCountTowardsTheLimit) {
  // 1000 control bytes escape to 6000: over a 5000-byte budget.
  auto budget = budget_of(5000);
  EXPECT_TRUE(is_too_large(run_within(budget, uppercase_op(), std::string(1000, '\x01'))));
  auto roomy = budget_of(7000);
  EXPECT_EQ(run_within(roomy, uppercase_op(), std::string(1000, '\x01')).outcome,
            op_outcome::kind::ok);
}

TEST(OpBudget, ExtractStopsAtTheLimitInsteadOfGrowing) {
  auto budget = budget_of(1000);
  EXPECT_TRUE(is_too_large(
    run_within(budget, extract_op(), std::string(100'000, 'a'), R"({"pattern":"a","max_matches":100000})")));
}

// The issue's case: each match of a(?:.*b)? scans to the end of the text,
// so 100000 matches over 1 MB held a worker for minutes.
TEST(OpBudget, ExtractStopsAtTheDeadline) {
  const std::string text(512 * 1024, 'a');
  auto budget = budget_of(1 << 30, 500ms);
  const auto start = std::chrono::steady_clock::now();
  const auto out =
    run_within(budget, extract_op(), text, R"({"pattern":"a(?:.*b)?","max_matches":100000})");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(is_timeout(out)) << out.value.substr(0, 200);
  EXPECT_EQ(out.value, "timeout: the op ran longer than 500 ms (--op-timeout)");
  EXPECT_GE(took, 500ms);
  EXPECT_LT(took, 5s) << "one match must not take seconds";
}

// One RE2 call cannot be interrupted, and on its slow path it costs up to
// (instructions x bytes): a call whose worst case exceeds the budget is not
// started. ((a|b){50}){20}c over 1 MB took 144 s in one call.
TEST(OpBudget, ExtractRefusesACallWhoseWorstCaseExceedsTheBudget) {
  const std::string text(1 << 20, 'a');
  auto budget = budget_of(1 << 20, 10s);
  const auto start = std::chrono::steady_clock::now();
  const auto out = run_within(budget, extract_op(), text, R"({"pattern":"((a|b){50}){20}c"})");
  EXPECT_TRUE(is_timeout(out)) << out.value;
  EXPECT_NE(out.value.find("could run longer than 10000 ms (--op-timeout)"), std::string::npos)
    << out.value;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  // The same pattern over a short text is fine.
  auto small = budget_of(1 << 20, 10s);
  EXPECT_EQ(run_within(small, extract_op(), "abab", R"({"pattern":"((a|b){50}){20}c"})").outcome,
            op_outcome::kind::ok);
}

TEST(OpBudget, TellsOnceThatAnOpIsStillRunning) {
  struct counter {
    int calls = 0;
    static void tell(void* c) noexcept { ++static_cast<counter*>(c)->calls; }
  } seen;
  const std::string text(256 * 1024, 'a');
  op_budget budget{{1 << 30, 300ms}, op_budget::clock::now(), &counter::tell, &seen};
  const auto out =
    run_within(budget, extract_op(), text, R"({"pattern":"a(?:.*b)?","max_matches":100000})");
  EXPECT_TRUE(is_timeout(out)) << out.value;
  EXPECT_EQ(seen.calls, 1);
}

} // namespace
} // namespace taskmesh::test
