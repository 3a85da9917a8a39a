// File: tests/integration/priority_test.cpp
// Tasks waiting in the queue: how a queued task reads, and "priority":"high"
// overtaking queued normal tasks. With one slot in flight (a delayed task
// holds its slot while it waits) the queue's order is the order in which
// tasks start.
#include <limits>

#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

class Priority : public integration_test {};

TEST_F(Priority, HighPriorityStartsBeforeQueuedNormalTasks) {
  auto& s = start_own({"--workers", "1", "--max-in-flight", "1"});
  const auto blocker = submit(s.client(), R"({"payload":"b","params":{"delay_ms":600}})");
  wait_for_status(s.client(), blocker, "running", 2s);
  std::vector<std::string> normal;
  for (int i = 0; i < 5; ++i)
    normal.push_back(submit(s.client(), R"({"payload":"n","params":{"delay_ms":50}})"));
  const auto high =
    submit(s.client(), R"({"payload":"h","priority":"high","params":{"delay_ms":50}})");

  const auto high_task = wait_terminal(s.client(), high, 5s);
  std::int64_t first_normal_start = std::numeric_limits<std::int64_t>::max();
  json::object first_normal;
  for (const auto& id : normal) {
    const auto t = wait_terminal(s.client(), id, 5s);
    if (rfc3339_ms(str(t, "started_at")) < first_normal_start) {
      first_normal_start = rfc3339_ms(str(t, "started_at"));
      first_normal = t;
    }
  }
  EXPECT_LE(rfc3339_ms(str(high_task, "started_at")), first_normal_start)
    << "high-priority task: " << json::serialize(high_task)
    << "\nfirst normal task to start: " << json::serialize(first_normal);
}

TEST_F(Priority, QueuedTaskHasNoStartYet) {
  auto& s = start_own({"--workers", "1", "--max-in-flight", "1"});
  const auto blocker = submit(s.client(), R"({"payload":"b","params":{"delay_ms":600}})");
  wait_for_status(s.client(), blocker, "running", 2s);
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
