// File: tests/model/priority_test.cpp
// A priority's name, both ways: what the request and wire readers accept is
// exactly what to_string writes.
#include <gtest/gtest.h>

#include "actors/model/task.hpp"

namespace taskmesh {
namespace {

TEST(Priority, NamesRoundTripAndNothingElseIsOne) {
  for (const auto p : {priority::normal, priority::high})
    EXPECT_EQ(priority_named(to_string(p)), p);
  for (const std::string_view other : {"", "High", "HIGH", "low", "high ", " normal", "urgent"})
    EXPECT_EQ(priority_named(other), std::nullopt) << '"' << other << '"';
}

} // namespace
} // namespace taskmesh
