// File: tests/model/trace_context_test.cpp
// traceparent validation follows the W3C format strictly (a malformed header
// from a client is replaced, never forwarded), and generated ones are valid
// and distinct.
#include <gtest/gtest.h>

#include <set>

#include "actors/model/trace_context.hpp"

namespace taskmesh {
namespace {

TEST(TraceContext, AcceptsTheSpecExample) {
  EXPECT_TRUE(is_valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_TRUE(is_valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
}

TEST(TraceContext, RejectsMalformedValues) {
  const char* bad[] = {
    "",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",     // no flags
    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent id
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
    "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // wrong separator
    "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",  // not hex
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", // too long
  };
  for (const char* v : bad)
    EXPECT_FALSE(is_valid_traceparent(v)) << v;
}

TEST(TraceContext, GeneratedValuesAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto tp = new_traceparent();
    EXPECT_TRUE(is_valid_traceparent(tp)) << tp;
    seen.insert(tp.substr(3, 32));
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(TraceContext, GeneratedTraceIdsAreRandomFromTheFirstDigit) {
  // Trace ids were once a UUIDv7, whose first 12 digits are the time: ids
  // made in the same second shared their first 8 digits. Random ids share
  // them about once in 2^32 pairs.
  std::set<std::string> first_digits;
  for (int i = 0; i < 1000; ++i)
    first_digits.insert(new_traceparent().substr(3, 8));
  EXPECT_GT(first_digits.size(), 990u);
}

} // namespace
} // namespace taskmesh
