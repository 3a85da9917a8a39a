// File: tests/bench/accepted_ids_test.cpp
// The accepted-ids log of the load generator: which ids an answer yields
// and the file format. What a run keeps (over loopback) is in
// engine_socket_test.cpp.
#include "bench/loadgen/accepted_ids.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace taskmesh::loadgen {
namespace {

TEST(AcceptedIds, OneTaskAnswerYieldsItsId) {
  std::vector<accepted_task> out;
  collect_ids(R"({"id":"0193a0c2-aaaa","status":"queued"})", 42, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "0193a0c2-aaaa");
  EXPECT_EQ(out[0].due_us, 42);
}

TEST(AcceptedIds, BatchAnswerYieldsEveryIdInOrder) {
  std::vector<accepted_task> out;
  collect_ids(R"({"tasks":[{"id":"a","status":"queued"},{"id":"b","status":"queued"},)"
              R"({"id":"c","status":"succeeded","duplicate":true}]})",
              7, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].id, "a");
  EXPECT_EQ(out[1].id, "b");
  EXPECT_EQ(out[2].id, "c");
}

TEST(AcceptedIds, BodiesWithoutACompleteIdYieldNothing) {
  std::vector<accepted_task> out;
  collect_ids("", 1, out);
  collect_ids(R"({"error":{"code":"queue_full"}})", 1, out);
  collect_ids(R"({"id":"cut-off)", 1, out); // no closing quote
  EXPECT_TRUE(out.empty());
}

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
