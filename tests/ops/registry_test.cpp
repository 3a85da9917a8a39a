// File: tests/ops/registry_test.cpp
#include <stdexcept>

#include "actors/ops/builtin_ops.hpp"
#include "actors/ops/registry.hpp"
#include "op_test_support.hpp"

namespace taskmesh::test {
namespace {

TEST(OpRegistry, BuiltinFindsEveryOpByName) {
  const auto reg = op_registry::builtin();
  EXPECT_EQ(reg.size(), 9u);
  for (std::string_view name : {"echo", "wordcount", "linecount", "uppercase", "lowercase",
                                "replace", "extract", "sha256", "fail"}) {
    op_index index = 9999;
    const op_definition* def = reg.find(name, &index);
    ASSERT_NE(def, nullptr) << name;
    EXPECT_EQ(def->name, name);
    ASSERT_LT(index, reg.size());
    EXPECT_EQ(&reg.at(index), def);
    EXPECT_EQ(reg.name(index), name);
    EXPECT_TRUE(reg.enabled(index));
  }
  EXPECT_EQ(reg.find("replace"), &replace_op());
}

TEST(OpRegistry, IndexesAreDistinctAndStable) {
  const auto a = op_registry::builtin();
  const auto b = op_registry::builtin();
  for (op_index i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a.name(i), b.name(i));
    op_index found = 9999;
    ASSERT_NE(a.find(a.name(i), &found), nullptr);
    EXPECT_EQ(found, i);
  }
}

TEST(OpRegistry, UnknownNames) {
  const auto reg = op_registry::builtin();
  op_index index = 42;
  EXPECT_EQ(reg.find("nope", &index), nullptr);
  EXPECT_EQ(index, 42) << "index must be left alone on a miss";
  EXPECT_EQ(reg.find(""), nullptr);
  EXPECT_EQ(reg.find("Echo"), nullptr);
  EXPECT_EQ(reg.find("echo "), nullptr);
  EXPECT_EQ(reg.find("ech"), nullptr);
}

TEST(OpRegistry, DisableKeepsIndexButHidesFromFind) {
  auto reg = op_registry::builtin();
  op_index index = 0;
  ASSERT_NE(reg.find("fail", &index), nullptr);
  const auto size = reg.size();

  EXPECT_TRUE(reg.disable("fail"));
  EXPECT_EQ(reg.find("fail"), nullptr);
  EXPECT_EQ(reg.size(), size);
  EXPECT_FALSE(reg.enabled(index));
  EXPECT_EQ(reg.name(index), "fail");
  EXPECT_EQ(&reg.at(index), &fail_op());
  // Disabling again is still "is an op"; other ops are untouched.
  EXPECT_TRUE(reg.disable("fail"));
  EXPECT_NE(reg.find("echo"), nullptr);
}

TEST(OpRegistry, DisableUnknownReturnsFalse) {
  auto reg = op_registry::builtin();
  EXPECT_FALSE(reg.disable("nope"));
  EXPECT_FALSE(reg.disable(""));
  EXPECT_EQ(reg.size(), 9u);
}

TEST(OpRegistry, AddCustomOp) {
  static constexpr op_definition custom{
      "custom", payload_kind::json,
      [](const boost::json::object&) -> std::optional<params_error> { return std::nullopt; },
      [](const op_input&) { return op_outcome::ok("{}"); }};
  op_registry reg;
  EXPECT_EQ(reg.size(), 0u);
  EXPECT_EQ(reg.find("custom"), nullptr);
  reg.add(echo_op());
  reg.add(custom);
  op_index index = 0;
  EXPECT_EQ(reg.find("custom", &index), &custom);
  EXPECT_EQ(index, 1);
}

TEST(OpRegistry, AddRejectsDuplicatesAndIncompleteOps) {
  auto reg = op_registry::builtin();
  EXPECT_THROW(reg.add(echo_op()), std::invalid_argument);
  static constexpr op_definition no_run{"norun", payload_kind::text, nullptr, nullptr};
  EXPECT_THROW(reg.add(no_run), std::invalid_argument);
  EXPECT_EQ(reg.size(), 9u);
}

} // namespace
} // namespace taskmesh::test
