// File: tests/ops/fail_test.cpp
#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

using kind = op_outcome::kind;

TEST(FailOp, PermanentByDefault) {
  for (std::uint32_t attempt : {1u, 2u, 100u}) {
    const auto out = run(fail_op(), "", "{}", attempt);
    EXPECT_EQ(out.outcome, kind::permanent_failure);
    EXPECT_FALSE(out.value.empty());
  }
  EXPECT_EQ(run(fail_op(), "x", R"({"transient":false})").outcome, kind::permanent_failure);
  // times only matters for transient failures.
  EXPECT_EQ(run(fail_op(), "x", R"({"transient":false,"times":1})", 5).outcome,
            kind::permanent_failure);
}

TEST(FailOp, TransientForeverWithoutTimes) {
  for (std::uint32_t attempt : {1u, 2u, 1000u}) {
    const auto out = run(fail_op(), "", R"({"transient":true})", attempt);
    EXPECT_EQ(out.outcome, kind::transient_failure) << attempt;
    EXPECT_NE(out.value.find(std::to_string(attempt)), std::string::npos) << out.value;
  }
}

TEST(FailOp, TransientForTimesAttemptsThenOk) {
  const char* params = R"({"transient":true,"times":2})";
  EXPECT_EQ(run(fail_op(), "", params, 1).outcome, kind::transient_failure);
  EXPECT_EQ(run(fail_op(), "", params, 2).outcome, kind::transient_failure);
  const auto third = run(fail_op(), "", params, 3);
  ASSERT_EQ(third.outcome, kind::ok);
  EXPECT_EQ(third.value, R"({"attempt":3})");
  EXPECT_EQ(run(fail_op(), "", params, 7).value, R"({"attempt":7})");
}

TEST(FailOp, TimesOneSucceedsOnSecondAttempt) {
  const char* params = R"({"times":1,"transient":true})";
  EXPECT_EQ(run(fail_op(), "", params, 1).outcome, kind::transient_failure);
  EXPECT_EQ(ok_json(run(fail_op(), "", params, 2)).at("attempt").as_int64(), 2);
}

TEST(FailOp, ValidateParams) {
  EXPECT_FALSE(validate(fail_op()));
  EXPECT_FALSE(validate(fail_op(), R"({"transient":true,"times":3})"));
  EXPECT_FALSE(validate(fail_op(), R"({"times":18446744073709551615})"));
  auto e = validate(fail_op(), R"({"transient":"yes"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "transient");
  EXPECT_EQ(e->message, "must be a boolean, got a string");
  e = validate(fail_op(), R"({"transient":1})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "must be a boolean, got an integer");
  for (const char* bad : {"0", "-3"}) {
    e = validate(fail_op(), std::string(R"({"transient":true,"times":)") + bad + "}");
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(e->field, "times");
    EXPECT_EQ(e->message, "must be at least 1");
  }
  e = validate(fail_op(), R"({"times":1.5})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "times");
  EXPECT_EQ(e->message, "must be an integer, got a floating-point number");
  e = validate(fail_op(), R"({"times":true})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "must be an integer, got a boolean");
}

} // namespace
} // namespace taskmesh::test
