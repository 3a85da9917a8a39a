// File: tests/integration/priority_test.cpp
// Tasks waiting in the queue: how a queued task reads, and "priority":"high"
// overtaking queued normal tasks. With one slot in flight (a delayed task
// holds its slot while it waits) the queue's order is the order in which
// tasks start. In a cluster every worker pod has its own slot, so one
// blocker per pod is needed to make tasks wait, and each pod fetches high
// before normal except on every fifth fetch round (docs/cluster.md,
// Priority policy): there a high task may start after at most one queued
// normal task per pod, never after all of them.
#include <limits>

#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

class Priority : public integration_test {
protected:
  // Delayed tasks that occupy every slot of a server started with
  // --max-in-flight 1: one for the embedded process, one per worker pod
  // (a pod with no room fetches nothing, so each pod takes exactly one).
  void block_every_slot(taskmesh_server& s) {
    const std::size_t slots = s.is_cluster() ? s.cluster()->worker_count() : 1;
    std::vector<std::string> blockers;
    for (std::size_t i = 0; i < slots; ++i)
      blockers.push_back(submit(s.client(), R"({"payload":"b","params":{"delay_ms":600}})"));
    for (const auto& id : blockers)
      wait_for_status(s.client(), id, "running", 2s);
  }
};

TEST_F(Priority, HighPriorityStartsBeforeQueuedNormalTasks) {
  auto& s = start_own({"--workers", "1", "--max-in-flight", "1"});
  block_every_slot(s);
  std::vector<std::string> normal;
  for (int i = 0; i < 10; ++i)
    normal.push_back(submit(s.client(), R"({"payload":"n","params":{"delay_ms":50}})"));
  const auto high =
    submit(s.client(), R"({"payload":"h","priority":"high","params":{"delay_ms":50}})");

  const auto high_task = wait_terminal(s.client(), high, 5s);
  const auto high_start = rfc3339_ms(str(high_task, "started_at"));
  std::vector<json::object> started_first; // normal tasks that started before the high one
  for (const auto& id : normal) {
    const auto t = wait_terminal(s.client(), id, 5s);
    if (rfc3339_ms(str(t, "started_at")) < high_start)
      started_first.push_back(t);
  }
  // Embedded: strictly first. Cluster: one normal-first round per pod at most.
  const std::size_t allowed = s.is_cluster() ? s.cluster()->worker_count() : 0;
  std::string first;
  for (const auto& t : started_first)
    first += "\n  " + json::serialize(t);
  EXPECT_LE(started_first.size(), allowed)
    << "high-priority task: " << json::serialize(high_task) << "\nnormal tasks before it:" << first;
}

TEST_F(Priority, QueuedTaskHasNoStartYet) {
  auto& s = start_own({"--workers", "1", "--max-in-flight", "1"});
  block_every_slot(s);
  const auto id = submit(s.client(), R"({"type":"wordcount","payload":"a b"})");
  const auto queued = get_task(s.client(), id);
  SCOPED_TRACE(json::serialize(queued));
  EXPECT_EQ(str(queued, "status"), "queued");
  EXPECT_EQ(num(queued, "attempts"), 0);
  EXPECT_NO_THROW(rfc3339_ms(str(queued, "submitted_at")));
  for (const char* key : {"started_at", "finished_at", "next_attempt_at", "result", "error"})
    EXPECT_TRUE(queued.at(key).is_null()) << key;
  const auto done = wait_terminal(s.client(), id, 5s);
  EXPECT_EQ(str(done, "status"), "succeeded") << json::serialize(done);
  EXPECT_GE(rfc3339_ms(str(done, "started_at")), rfc3339_ms(str(done, "submitted_at")));
}

} // namespace
} // namespace taskmesh::it
