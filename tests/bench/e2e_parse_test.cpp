// File: tests/bench/e2e_parse_test.cpp
// Reading taskmesh's answers in the e2e mode: RFC 3339 timestamps, submit
// ids, /stats terminal counters and task records.
#include "bench/loadgen/e2e_parse.hpp"
#include "bench/loadgen/rfc3339.hpp"

#include <gtest/gtest.h>

namespace taskmesh::loadgen {
namespace {

TEST(Rfc3339, ParsesTaskmeshTimestamps) {
  EXPECT_EQ(parse_rfc3339_us("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(parse_rfc3339_us("1970-01-01T00:00:01.500Z"), 1'500'000);
  // date -u -d 2026-11-22T02:12:15Z +%s -> 1795313535
  EXPECT_EQ(parse_rfc3339_us("2026-11-22T02:12:15.123Z"), 1'795'313'535'123'000);
  EXPECT_EQ(parse_rfc3339_us("2000-02-29T23:59:59Z"), 951'868'799'000'000);
  EXPECT_EQ(parse_rfc3339_us("1969-12-31T23:59:59.999Z"), -1'000);
}

TEST(Rfc3339, FractionsOffsetsAndLenientForms) {
  EXPECT_EQ(parse_rfc3339_us("1970-01-01T00:00:00.1Z"), 100'000);
  EXPECT_EQ(parse_rfc3339_us("1970-01-01T00:00:00.123456789Z"), 123'456);
  EXPECT_EQ(parse_rfc3339_us("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(parse_rfc3339_us("1969-12-31T23:30:00-00:30"), 0);
  EXPECT_EQ(parse_rfc3339_us("1970-01-01t00:00:00z"), 0);
  EXPECT_EQ(parse_rfc3339_us("1970-01-01 00:00:00Z"), 0);
}

TEST(Rfc3339, DifferenceOfTwoRecordTimes) {
  const auto a = parse_rfc3339_us("2026-11-22T23:59:59.950Z");
  const auto b = parse_rfc3339_us("2026-11-23T00:00:00.020Z");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*b - *a, 70'000);
}

TEST(Rfc3339, RejectsMalformed) {
  for (const char* bad :
       {"", "2026-11-22", "2026-11-22T02:12:15", "2026-11-22T02:12:15.Z", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-22T24:00:00Z",
        "2026-11-22T02:60:00Z", "2026-11-22T02:12:15.123Zjunk", "2026-11-22T02:12:15+0100",
        "26-11-22T02:12:15Z", "2026/11/22T02:12:15Z"})
    EXPECT_FALSE(parse_rfc3339_us(bad)) << bad;
}

TEST(E2eParse, AcceptedIdsFromSingleAndBatchAnswers) {
  auto one = parse_accepted_ids(R"({"id":"0190-abc","status":"queued"})");
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, std::vector<std::string>{"0190-abc"});
  auto many = parse_accepted_ids(R"({"ids":["a","b","c"]})");
  ASSERT_TRUE(many);
  EXPECT_EQ(many->size(), 3u);
  EXPECT_FALSE(parse_accepted_ids(R"({"status":"queued"})"));
  EXPECT_FALSE(parse_accepted_ids(R"({"ids":["a",1]})"));
  EXPECT_FALSE(parse_accepted_ids("not json"));
  EXPECT_FALSE(parse_accepted_ids("[]"));
}

TEST(E2eParse, StatsCountersInSeveralShapes) {
  auto flat = parse_stats_terminal(R"({"queued":5,"succeeded":10,"failed":2,"dead":1})");
  ASSERT_TRUE(flat);
  EXPECT_EQ(flat->total(), 13u);
  auto nested = parse_stats_terminal(
      R"({"uptime_s":3,"tasks":{"by_status":{"queued":1,"succeeded":7,"failed":0,"dead":0}}})");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->succeeded, 7u);
  EXPECT_EQ(nested->total(), 7u);
  auto prom = parse_stats_terminal(
      R"({"counters":{"tasks_succeeded_total":4,"tasks_failed_total":1,"tasks_dead_total":2}})");
  ASSERT_TRUE(prom);
  EXPECT_EQ(prom->total(), 7u);
  auto partial = parse_stats_terminal(R"({"succeeded":3})");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->total(), 3u);
  EXPECT_FALSE(parse_stats_terminal(R"({"queued":1,"running":2})"));
  EXPECT_FALSE(parse_stats_terminal(R"({"succeeded":"many"})"));
  EXPECT_FALSE(parse_stats_terminal("<html>"));
}

TEST(E2eParse, TaskRecords) {
  auto r = parse_task_record(
      R"({"id":"x","type":"wordcount","status":"succeeded","priority":"normal","attempts":1,)"
      R"("max_attempts":3,"submitted_at":"2026-11-22T02:12:15.123Z","started_at":null,)"
      R"("finished_at":"2026-11-22T02:12:15.456Z","next_attempt_at":null,"result":{"words":3},)"
      R"("error":null})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->terminal());
  ASSERT_TRUE(r->submitted_at_us && r->finished_at_us);
  EXPECT_EQ(*r->finished_at_us - *r->submitted_at_us, 333'000);

  auto queued = parse_task_record(
      R"({"status":"queued","submitted_at":"2026-11-22T02:12:15.123Z","finished_at":null})");
  ASSERT_TRUE(queued);
  EXPECT_FALSE(queued->terminal());
  EXPECT_FALSE(queued->finished_at_us);
  for (const char* s : {"failed", "dead"})
    EXPECT_TRUE(parse_task_record(std::string(R"({"status":")") + s + "\"}")->terminal());
  EXPECT_FALSE(parse_task_record(R"({"error":{"code":"not_found"}})"));
}

TEST(E2eParse, PathSegmentEncoding) {
  EXPECT_EQ(encode_path_segment("0190a3b4-7c1d-7e2f-8a9b-0c1d2e3f4a5b"),
            "0190a3b4-7c1d-7e2f-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(encode_path_segment("a/b c?"), "a%2Fb%20c%3F");
}

} // namespace
} // namespace taskmesh::loadgen
