// File: tests/integration/mixed_workload_test.cpp
// Every path of a task at once, in both topologies (the cluster one has two
// worker pods): regex ops slow enough to be recorded `running` mid-op,
// transient failures retried into dead letters, permanent failures, delays,
// cancels, high priority and idempotency keys repeated across batches. Each
// accepted task ends with the outcome its op decides, and /stats counts each
// exactly once, in total and per type. The benchmarks submit one op; a
// defect only a mix shows (a slow op stopped a worker pod's store) hid there.
#include <map>
#include <set>

#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

// What a submitted task must end as.
enum class expect { succeeded, failed, dead };

struct planned_task {
  std::string body; // one task object
  expect outcome;
};

// One batch of 32: the same plan every run, so a failure reproduces.
std::vector<planned_task> batch_plan(int batch) {
  const std::string slow_payload(50'000, 'a');
  std::vector<planned_task> plan;
  for (int i = 0; i < 6; ++i)
    plan.push_back({R"({"type":"extract","payload":")" + slow_payload +
                      R"(","params":{"pattern":"a(?:.*b)?","max_matches":40}})",
                    expect::succeeded});
  for (int i = 0; i < 3; ++i)
    plan.push_back({R"({"type":"fail","payload":"t","params":{"transient":true},"max_attempts":2})",
                    expect::dead});
  for (int i = 0; i < 3; ++i)
    plan.push_back({R"({"type":"fail","payload":"p"})", expect::failed});
  for (int i = 0; i < 4; ++i)
    plan.push_back({R"({"type":"echo","payload":"d","params":{"delay_ms":150}})", expect::succeeded});
  for (int i = 0; i < 4; ++i)
    plan.push_back({R"({"type":"wordcount","payload":"one two","priority":"high"})",
                    expect::succeeded});
  // Keys repeat every fifth batch: later batches get the first task's id.
  for (int i = 0; i < 2; ++i)
    plan.push_back({R"({"type":"uppercase","payload":"k","idempotency_key":"mix-)" +
                      std::to_string(batch % 5) + "-" + std::to_string(i) + R"("})",
                    expect::succeeded});
  for (const char* op : {"sha256", "lowercase", "linecount", "uppercase"})
    for (int i = 0; i < 2; ++i)
      plan.push_back({std::string(R"({"type":")") + op + R"(","payload":"Some Text\nTwo"})",
                      expect::succeeded});
  plan.push_back({R"({"type":"replace","payload":"abab","params":{"find":"a","replace":"xyz"}})",
                  expect::succeeded});
  plan.push_back({R"({"type":"echo","payload":"last"})", expect::succeeded});
  return plan;
}

std::string array_of(const std::vector<planned_task>& plan) {
  std::string body = "[";
  for (const auto& t : plan)
    body += (body.size() > 1 ? "," : "") + t.body;
  return body + "]";
}

class MixedWorkload : public integration_test {};

TEST_F(MixedWorkload, EveryTaskEndsAsItsOpDecidesAndIsCountedOnce) {
  auto& api = start_own({"--workers", "2", "--retry-base-delay", "50ms"}).client();
  std::map<std::string, expect> planned; // by id; a repeated key maps to its first task
  std::set<std::string> cancelled;
  for (int b = 0; b < 15; ++b) {
    const auto plan = batch_plan(b);
    const auto ids = submit_batch(api, array_of(plan));
    ASSERT_EQ(ids.size(), plan.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
      planned.emplace(ids[i], plan[i].outcome);
    // Two of the delayed echoes, while they wait out their delay.
    for (std::size_t i : {12u, 13u}) {
      const auto r = api.request("DELETE", "/task/" + ids[i]);
      ASSERT_TRUE(r.status == 200 || r.status == 409) << r.status << " " << r.body;
      if (r.status == 200)
        cancelled.insert(ids[i]);
    }
  }
  ASSERT_FALSE(cancelled.empty()) << "no delayed task was cancellable: the cancel path went untested";

  std::map<std::string, json::object> records;
  for (const auto& [id, _] : planned)
    records.emplace(id, wait_terminal(api, id, 30s));
  std::map<std::string, std::map<std::string, std::int64_t>> by_type; // type -> status -> count
  std::map<std::string, std::int64_t> total;
  for (const auto& [id, r] : records) {
    SCOPED_TRACE(json::serialize(r));
    const auto status = str(r, "status");
    ++by_type[str(r, "type")][status];
    ++total[status];
    if (cancelled.contains(id)) {
      EXPECT_EQ(status, "cancelled");
      continue;
    }
    switch (planned.at(id)) {
      case expect::succeeded: EXPECT_EQ(status, "succeeded"); break;
      case expect::failed:
        EXPECT_EQ(status, "failed");
        EXPECT_EQ(num(r, "attempts"), 1);
        break;
      case expect::dead:
        EXPECT_EQ(status, "dead");
        EXPECT_EQ(num(r, "attempts"), 2);
        break;
    }
  }

  const auto n = static_cast<std::int64_t>(records.size());
  const auto s = fresh_stats(api); // the counters move with each record's last write
  SCOPED_TRACE(json::serialize(s));
  EXPECT_EQ(num(s, "submitted"), n) << "a repeated key is one task";
  for (const char* status : {"succeeded", "failed", "dead", "cancelled"})
    EXPECT_EQ(num(s, status), total[status]) << status;
  EXPECT_EQ(num(s, "retried"), total["dead"]) << "one retry per task that went dead after 2";
  const auto& types = sub(s, "by_type");
  for (const auto& [type, statuses] : by_type) {
    const auto& t = sub(types, type);
    std::int64_t submitted = 0;
    for (const auto& [status, count] : statuses) {
      EXPECT_EQ(num(t, status), count) << type << " " << status;
      submitted += count;
    }
    EXPECT_EQ(num(t, "submitted"), submitted) << type;
  }
}

} // namespace
} // namespace taskmesh::it
