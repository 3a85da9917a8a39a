// File: tests/bench/flag_values_test.cpp
#include "bench/loadgen/flag_values.hpp"

#include <gtest/gtest.h>

namespace taskmesh::loadgen {
namespace {

using namespace std::chrono_literals;

TEST(FlagValues, Durations) {
  EXPECT_EQ(parse_duration("10s"), std::chrono::nanoseconds(10s));
  EXPECT_EQ(parse_duration("10"), std::chrono::nanoseconds(10s));
  EXPECT_EQ(parse_duration("250ms"), std::chrono::nanoseconds(250ms));
  EXPECT_EQ(parse_duration("1.5s"), std::chrono::nanoseconds(1500ms));
  EXPECT_EQ(parse_duration("2m"), std::chrono::nanoseconds(120s));
  EXPECT_EQ(parse_duration("1h"), std::chrono::nanoseconds(3600s));
  EXPECT_EQ(parse_duration("50us"), std::chrono::nanoseconds(50us));
  EXPECT_EQ(parse_duration("0s"), std::chrono::nanoseconds(0));
  for (const char* bad : {"", "s", "-1s", "10x", "ten", "10 s", "1e30s"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(FlagValues, Urls) {
  auto u = parse_url("http://127.0.0.1:8080");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->path, "");
  u = parse_url("http://localhost/task");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->port, "80");
  EXPECT_EQ(u->path, "/task");
  u = parse_url("http://[::1]:9000/x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "9000");
  for (const char* bad : {"https://a:1", "127.0.0.1:8080", "http://", "http://:80", "http://a:",
                          "http://a:0", "http://a:70000", "http://a:8x", "http://[::1"})
    EXPECT_FALSE(parse_url(bad)) << bad;
}

} // namespace
} // namespace taskmesh::loadgen
