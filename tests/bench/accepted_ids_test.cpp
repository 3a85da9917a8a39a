// File: tests/bench/accepted_ids_test.cpp
// The accepted-ids file of the load generator. Which ids an answer yields:
// e2e_parse_test.cpp (parse_accepted_ids); what a run keeps, over loopback:
// engine_socket_test.cpp.
#include "bench/loadgen/accepted_ids.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace taskmesh::loadgen {
namespace {

TEST(AcceptedIds, FileHasOneLinePerTask) {
  const std::string path = ::testing::TempDir() + "accepted_ids_test.txt";
  ASSERT_TRUE(write_accepted(path, {{"x", 1700000000000001}, {"y", 1700000000000002}}));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "x 1700000000000001\ny 1700000000000002\n");
  EXPECT_FALSE(write_accepted("/nonexistent-dir/accepted.txt", {}));
}

} // namespace
} // namespace taskmesh::loadgen
