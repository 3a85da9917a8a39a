// File: tests/cluster/worker_crash_test.cpp
// A worker pod dies (kill -9) or hangs (SIGSTOP past AckWait) while it holds
// delayed tasks: JetStream redelivers them after --ack-wait to the other
// pod, every accepted task ends terminal, and each is stored and counted
// once, including when the hung pod wakes up and finishes its stale copies.
#include <iostream>

#include "tests/cluster/cluster_fixture.hpp"

namespace taskmesh::cluster_it {
namespace {

constexpr std::size_t tasks = 600;
constexpr const char* delayed_echo = R"({"type":"echo","payload":"w","params":{"delay_ms":400}})";

class WorkerCrash : public ClusterTest {
protected:
  // At most 200 tasks out per pod: 600 keep both pods full for a while, so
  // the victim surely holds some when it is hit.
  void SetUp() override { start(with_flags({"--ack-wait", "2s", "--max-in-flight", "200"})); }

  // Waits until `w` holds tasks (its in-flight gauge, refreshed each second
  // by the pod's stats tick).
  void wait_until_holding(taskmesh_process& w) {
    double held = 0;
    ASSERT_TRUE(wait_until(
      [&] {
        held = pod_metric(w, "taskmesh_tasks_in_flight");
        return held > 0;
      },
      5s, 20ms))
      << w.name() << " never held a task";
    std::cout << w.name() << " holds " << held << " tasks\n";
  }
};

TEST_F(WorkerCrash, KilledMidBatchOtherWorkerFinishesAfterAckWait) {
  const auto ids = submit_many(api(), delayed_echo, tasks);
  auto& victim = cluster().worker(0);
  ASSERT_NO_FATAL_FAILURE(wait_until_holding(victim));
  victim.kill();
  const auto killed_at = std::chrono::steady_clock::now();

  const auto records = wait_all_terminal(api(), ids, 30s);
  for (const auto& [id, r] : records) {
    ASSERT_EQ(str(r, "status"), "succeeded") << json::serialize(r);
    ASSERT_EQ(r.at("result"), json::parse(R"({"payload":"w"})")) << json::serialize(r);
  }
  std::cout << redelivered(records) << " of " << tasks << " tasks were delivered again\n";
  EXPECT_GT(redelivered(records), 0u) << "the kill hit no task in flight";
  EXPECT_GE(ms_since(killed_at), 2000 - 100)
    << "tasks of the killed worker finished before AckWait could redeliver them";
  EXPECT_TRUE(counted_once(idle_stats(api(), tasks), tasks));

  // The dead pod's heartbeat expires: /stats counts one worker pod.
  json::object s;
  EXPECT_TRUE(wait_until(
    [&] {
      s = get_stats(api());
      return num(s, "workers") == 1;
    },
    15s, 200ms))
    << json::serialize(s);
}

TEST_F(WorkerCrash, PausedPastAckWaitLateResultsChangeNothing) {
  const auto ids = submit_many(api(), delayed_echo, tasks);
  auto& victim = cluster().worker(0);
  ASSERT_NO_FATAL_FAILURE(wait_until_holding(victim));
  victim.pause();

  // All finish only once AckWait (2 s) handed the paused pod's tasks over.
  const auto records = wait_all_terminal(api(), ids, 30s);
  std::cout << redelivered(records) << " of " << tasks << " tasks were delivered again\n";
  EXPECT_GT(redelivered(records), 0u) << "the pause hit no task in flight";
  for (const auto& [id, r] : records)
    ASSERT_EQ(str(r, "status"), "succeeded") << json::serialize(r);
  const auto before_wake = idle_stats(api(), tasks);
  ASSERT_TRUE(counted_once(before_wake, tasks));

  // Wake it: it finishes the stale copies it held, writes their results and
  // acks them. None of that may create, change or count anything.
  victim.resume();
  double held = -1;
  ASSERT_TRUE(wait_until(
    [&] {
      held = pod_metric(victim, "taskmesh_tasks_in_flight");
      return held == 0;
    },
    15s, 50ms))
    << victim.name() << " still holds " << held << " tasks after SIGCONT";
  EXPECT_EQ(victim.ready_status(), 200u);
  EXPECT_GT(pod_metric(victim, "taskmesh_tasks_finished_total"), 0)
    << "the resumed pod finished none of its stale tasks: nothing was tested";

  EXPECT_TRUE(counted_once(idle_stats(api(), tasks), tasks));
  for (const auto& id : ids) {
    const auto now = get_task(api(), id);
    const auto& then = records.at(id);
    ASSERT_EQ(now, then) << "a late result changed the record\nbefore: " << json::serialize(then)
                         << "\nafter:  " << json::serialize(now);
  }
}

} // namespace
} // namespace taskmesh::cluster_it
