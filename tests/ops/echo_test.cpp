// File: tests/ops/echo_test.cpp
#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

TEST(EchoOp, EmbedsSerializedPayloadVerbatim) {
  const auto out = run(echo_op(), R"({"a":[1,2,{"b":null}],"s":"x\"y"})");
  ASSERT_EQ(out.outcome, op_outcome::kind::ok);
  EXPECT_EQ(out.value, R"({"payload":{"a":[1,2,{"b":null}],"s":"x\"y"}})");
  const auto v = ok_json(out);
  EXPECT_EQ(v.at("payload").at("s").as_string(), "x\"y");
}

TEST(EchoOp, ScalarPayloads) {
  EXPECT_EQ(run(echo_op(), "null").value, R"({"payload":null})");
  EXPECT_EQ(run(echo_op(), "42").value, R"({"payload":42})");
  EXPECT_EQ(run(echo_op(), R"("h\u00e9 \n")").value, R"({"payload":"h\u00e9 \n"})");
  EXPECT_EQ(ok_json(run(echo_op(), R"("h\u00e9")")).at("payload").as_string(), "h\xC3\xA9");
  EXPECT_EQ(run(echo_op(), "[]").value, R"({"payload":[]})");
}

TEST(EchoOp, DeclaresJsonPayloadAndNoParams) {
  EXPECT_EQ(echo_op().name, "echo");
  EXPECT_EQ(echo_op().payload, payload_kind::json);
  EXPECT_FALSE(validate(echo_op()).has_value());
}

} // namespace
} // namespace taskmesh::test
