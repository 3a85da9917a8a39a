// File: tests/ops/params_test.cpp
// Rules every op shares: unknown params are rejected by name, ops without
// params reject any, and each op declares the payload kind it needs.
#include <string>

#include "actors/ops/registry.hpp"
#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

// Params each op accepts, so an unknown one can be added beside them.
struct op_case {
  const op_definition& (*op)();
  const char* valid_params;
};

const op_case all_ops[] = {
    {echo_op, "{}"},
    {wordcount_op, "{}"},
    {linecount_op, "{}"},
    {uppercase_op, "{}"},
    {lowercase_op, "{}"},
    {replace_op, R"({"find":"a","replace":"b"})"},
    {extract_op, R"({"pattern":"a+","max_matches":10})"},
    {sha256_op, "{}"},
    {fail_op, R"({"transient":true,"times":2})"},
};

TEST(OpParams, EveryBuiltinOpIsCovered) {
  EXPECT_EQ(op_registry::builtin().size(), std::size(all_ops));
}

TEST(OpParams, ValidParamsAccepted) {
  for (const auto& c : all_ops)
    EXPECT_FALSE(validate(c.op(), c.valid_params)) << c.op().name;
}

TEST(OpParams, UnknownParamRejectedByName) {
  for (const auto& c : all_ops) {
    auto params = params_of(c.valid_params);
    params["bogus"] = 1;
    const auto e = c.op().validate(params);
    ASSERT_TRUE(e) << c.op().name;
    EXPECT_EQ(e->field, "bogus") << c.op().name;
    EXPECT_EQ(e->message, "unknown parameter") << c.op().name;
  }
}

TEST(OpParams, UnknownParamRejectedEvenWhenFirst) {
  for (const auto& c : all_ops) {
    boost::json::object params;
    params["Find"] = "x"; // names are case-sensitive
    for (const auto& kv : params_of(c.valid_params))
      params[kv.key()] = kv.value();
    const auto e = c.op().validate(params);
    ASSERT_TRUE(e) << c.op().name;
    EXPECT_EQ(e->field, "Find") << c.op().name;
    EXPECT_EQ(e->message, "unknown parameter") << c.op().name;
  }
}

TEST(OpParams, OpsWithoutParamsRejectAny) {
  for (const auto* op : {&echo_op(), &wordcount_op(), &linecount_op(), &uppercase_op(),
                         &lowercase_op(), &sha256_op()}) {
    for (const char* params : {R"({"find":"a"})", R"({"pattern":"x"})", R"({"x":null})"}) {
      const auto e = validate(*op, params);
      ASSERT_TRUE(e) << op->name << ' ' << params;
      EXPECT_EQ(e->message, "unknown parameter");
    }
  }
}

TEST(OpParams, PayloadKinds) {
  EXPECT_EQ(echo_op().payload, payload_kind::json);
  for (const auto* op : {&wordcount_op(), &linecount_op(), &uppercase_op(), &lowercase_op(),
                         &replace_op(), &extract_op(), &sha256_op(), &fail_op()})
    EXPECT_EQ(op->payload, payload_kind::text) << op->name;
}

TEST(OpParams, NamesMatchTheirDefinitions) {
  EXPECT_EQ(echo_op().name, "echo");
  EXPECT_EQ(wordcount_op().name, "wordcount");
  EXPECT_EQ(linecount_op().name, "linecount");
  EXPECT_EQ(uppercase_op().name, "uppercase");
  EXPECT_EQ(lowercase_op().name, "lowercase");
  EXPECT_EQ(replace_op().name, "replace");
  EXPECT_EQ(extract_op().name, "extract");
  EXPECT_EQ(sha256_op().name, "sha256");
  EXPECT_EQ(fail_op().name, "fail");
}

} // namespace
} // namespace taskmesh::test
