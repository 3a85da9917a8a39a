// File: tests/chaos/verdict_test.cpp
// judge(): each kind of failure the verifier must catch (a lost task, a
// task committed twice, /stats counting twice, a wrong result, a 4xx), the
// thresholds, and the throughput-recovery arithmetic, on hand-made runs.
#include <gtest/gtest.h>

#include "chaos/verify/task_plan.hpp"
#include "chaos/verify/verdict.hpp"

namespace taskmesh::verify {
namespace {

using namespace std::chrono_literals;

// A run of `n` tasks, 10 per second, all accepted and succeeded with the
// right result, each committed once; phases 3 s / 3 s / 4 s.
struct fake_run {
  verify_config cfg;
  load_record rec;
  std::vector<std::size_t> slots;
  std::vector<task_view> views;
  execution_counts counts;
  stats_terminal stats;

  explicit fake_run(std::size_t n = 100) {
    cfg.run_id = "t";
    cfg.rate = 10;
    cfg.steady = 3s;
    cfg.fault = 3s;
    cfg.recover = 4s;
    rec.start_unix_us = 1'000'000'000'000;
    rec.slots.resize(n);
    for (std::size_t g = 0; g < n; ++g) {
      auto& s = rec.slots[g];
      s.id = "id-" + std::to_string(g);
      s.tries = 1;
      s.status = 202;
      s.intended_us = static_cast<std::int64_t>(g) * 100'000;
      s.answered_us = s.intended_us + 1000;
      rec.latency_us[static_cast<std::size_t>(phase_at(cfg, std::chrono::microseconds(s.intended_us)))].record(1000);
      const auto second = static_cast<std::size_t>(s.answered_us / 1'000'000);
      if (rec.accepted_per_s.size() <= second) rec.accepted_per_s.resize(second + 1);
      ++rec.accepted_per_s[second];
      slots.push_back(g);
      task_view v;
      v.status = "succeeded";
      v.last_http = 200;
      v.attempts = 1;
      v.result = plan_task(cfg.run_id, g).expected;
      v.submitted_at_us = rec.start_unix_us + s.answered_us;
      v.finished_at_us = *v.submitted_at_us + 2000;
      views.push_back(v);
      counts.by_task.push_back({true, 1, 1});
    }
    stats.before = {10, 0, 0};
    stats.after = {10 + n, 0, 0};
  }

  summary judge_it() const { return judge(cfg, rec, slots, views, counts, stats); }
};

TEST(Verdict, ACleanRunPasses) {
  const auto s = fake_run().judge_it();
  EXPECT_TRUE(s.failures.empty()) << one_line(s);
  EXPECT_EQ(s.accepted, 100u);
  EXPECT_EQ(s.succeeded, 100u);
  EXPECT_EQ(s.lost + s.executed_twice + s.wrong_results, 0u);
  EXPECT_EQ(s.stats_excess, 0);
  EXPECT_FALSE(s.dipped);
  EXPECT_EQ(s.recovery_s, 0.0);
  EXPECT_NEAR(s.submit[0].p99_ms, 1.0, 0.01);
  EXPECT_NEAR(s.steady_accepted_per_s, 10.0, 0.01);
}

TEST(Verdict, AnUnfinishedOrMissingTaskIsLost) {
  fake_run r;
  r.views[3].status = "queued";
  r.views[7] = task_view{};
  r.views[7].last_http = 404;
  r.stats.after.succeeded -= 2;
  const auto s = r.judge_it();
  EXPECT_EQ(s.lost, 2u);
  EXPECT_EQ(s.missing, 1u);
  EXPECT_NE(one_line(s).find("FAIL"), std::string::npos);
  EXPECT_NE(one_line(s).find("[lost=2]"), std::string::npos);
}

TEST(Verdict, ASecondCommitOrASecondCountIsExecutedTwice) {
  fake_run r;
  r.counts.by_task[5] = {true, 2, 2};
  auto s = r.judge_it();
  EXPECT_EQ(s.executed_twice, 1u);
  EXPECT_FALSE(s.failures.empty());

  fake_run counted;
  counted.stats.after.succeeded += 1; // /stats counted one task twice
  s = counted.judge_it();
  EXPECT_EQ(s.stats_excess, 1);
  EXPECT_EQ(s.executed_twice, 1u);

  counted.cfg.exclusive = false; // others use the cluster: the delta proves nothing
  EXPECT_TRUE(counted.judge_it().failures.empty());
}

TEST(Verdict, ARerunThatCommittedOnceIsFine) {
  fake_run r;
  r.views[9].attempts = 2;
  r.counts.by_task[9] = {true, 2, 1};
  const auto s = r.judge_it();
  EXPECT_TRUE(s.failures.empty()) << one_line(s);
  EXPECT_EQ(s.redelivered, 1u);
  EXPECT_EQ(s.rerun, 1u);
}

TEST(Verdict, AWrongResultFails) {
  fake_run r;
  r.views[4].result = boost::json::object{{"words", 99}};
  const auto s = r.judge_it();
  EXPECT_EQ(s.wrong_results, 1u);
  EXPECT_FALSE(s.failures.empty());
}

TEST(Verdict, FinishedWithoutACommitCounterFails) {
  fake_run r;
  r.counts.by_task[0] = {true, 0, 0};
  EXPECT_EQ(r.judge_it().uncounted, 1u);
  EXPECT_FALSE(r.judge_it().failures.empty());
}

TEST(Verdict, RejectedAndRefusedKeys) {
  fake_run r;
  r.rec.slots[1].id.clear();
  r.rec.slots[1].rejected = true;
  r.rec.slots[2].id.clear();
  r.rec.slots[2].tries = 40;
  r.slots = {0};
  r.views.resize(1);
  r.counts.by_task.resize(1);
  r.stats.after.succeeded = r.stats.before.succeeded + 1;
  auto s = r.judge_it();
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(s.refused, 1u);
  EXPECT_EQ(s.retried_keys, 1u);
  ASSERT_EQ(s.failures.size(), 1u) << one_line(s); // a 4xx fails; a refusal alone does not
  r.cfg.limits.max_refused = 0;
  EXPECT_EQ(r.judge_it().failures.size(), 2u);
}

TEST(Verdict, RecoveryIsTheFirstHealthyWindowAfterTheDip) {
  fake_run r(1); // throughput comes from the per-second figures below
  r.cfg.steady = 5s;
  r.cfg.fault = 5s;
  r.cfg.recover = 10s;
  r.rec.accepted_per_s = {10, 10, 10, 10, 10, 10, 2, 0, 0, 3, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
  r.views.clear();
  r.slots.clear();
  r.counts.by_task.clear();
  for (std::size_t sec = 0; sec < r.rec.accepted_per_s.size(); ++sec)
    for (std::uint64_t k = 0; k < r.rec.accepted_per_s[sec]; ++k) {
      task_view v;
      v.status = "succeeded";
      v.submitted_at_us = r.rec.start_unix_us + static_cast<std::int64_t>(sec) * 1'000'000;
      v.finished_at_us = v.submitted_at_us;
      r.views.push_back(v);
      r.slots.push_back(0);
      r.counts.by_task.push_back({true, 1, 1});
    }
  r.cfg.limits.max_recovery_s = 4;
  const auto s = judge(r.cfg, r.rec, r.slots, r.views, std::nullopt, std::nullopt);
  EXPECT_TRUE(s.dipped);
  ASSERT_TRUE(s.recovery_s.has_value());
  EXPECT_EQ(*s.recovery_s, 5.0); // windows from second 10 on are >= 90% of 10/s
  EXPECT_EQ(*s.after_heal_s, 0.0);
  EXPECT_EQ(s.counters_error, "no --valkey given");
  EXPECT_EQ(s.failures.size(), 2u) << one_line(s); // wrong results (no result) + recovery > 4 s
}

} // namespace
} // namespace taskmesh::verify
