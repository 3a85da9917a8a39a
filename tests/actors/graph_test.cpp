// File: tests/actors/graph_test.cpp
// The whole graph from spawn_graph() with the in-memory store, on the
// testing scheduler: submissions pushed into the intake queue come back as
// admissions, records go queued -> succeeded, duplicates are recognised,
// the backlog returns to 0 and stats add up; delays and retries run on fake
// time.
#include <gtest/gtest.h>

#include "actors/graph.hpp"
#include "actors/memory_store.hpp"
#include "tests/actors/test_system.hpp"

namespace taskmesh::actors_test {
namespace {

using kind = submission_result::kind;

class Graph : public actor_test {
protected:
  void start(std::uint32_t workers = 2, std::uint32_t max_in_flight = 10'000,
             actor_down_callback on_down = nullptr) {
    graph_config config;
    config.workers = workers;
    config.dispatch.max_in_flight = max_in_flight;
    config.stats.workers = workers;
    auto store = spawn(memory_store, store_config{}, &gauges);
    g = spawn_graph(sys, config, {&ops, &queue, &gauges, &metrics, nullptr, nullptr, on_down},
                    graph_seams{store, store, {}, true, true});
    for (const auto& w : g.workers)
      spawned.push_back(caf::actor_cast<caf::actor>(w));
    spawned.push_back(caf::actor_cast<caf::actor>(g.intake));
    spawned.push_back(caf::actor_cast<caf::actor>(g.dispatcher));
    spawned.push_back(caf::actor_cast<caf::actor>(g.stats));
    spawned.push_back(caf::actor_cast<caf::actor>(g.bridge));
    run();
  }

  std::optional<task_record> get(const task_id& id) {
    return ask<task_record>(g.store, get_atom::value, id).value;
  }

  stats_snapshot stats() { return ask<stats_snapshot>(g.stats, get_atom::value).value.value(); }

  task keyed(std::string op_name, std::string payload, std::string key) {
    auto t = make_task(op_name, std::move(payload));
    t.idempotency_key = std::move(key);
    return t;
  }

  actor_graph g;
  recorded_results results;
};

TEST_F(Graph, SubmissionsRunToCompletion) {
  start();
  auto a = make_task("echo", R"({"n":1})");
  auto b = keyed("uppercase", "abc", "k1");
  auto c = keyed("wordcount", "one two", "k1"); // same key, same drain: duplicate
  auto d = make_task("fail", "x");
  ASSERT_TRUE(push({a, b}, &results));
  ASSERT_TRUE(push({c}, &results));
  ASSERT_TRUE(push({d}, &results));
  run();

  ASSERT_EQ(results.results.size(), 3u);
  for (const auto& r : results.results)
    EXPECT_EQ(r.outcome, kind::accepted);
  const auto& first = results.results[0].admissions;
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, a.id);
  EXPECT_FALSE(first[0].duplicate);
  EXPECT_EQ(first[0].status, task_status::queued);
  EXPECT_EQ(first[1].id, b.id);
  const auto& dup = results.results[1].admissions.at(0);
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.id, b.id);

  const auto ra = get(a.id);
  ASSERT_TRUE(ra);
  EXPECT_EQ(ra->status, task_status::succeeded);
  EXPECT_EQ(ra->result, R"({"payload":{"n":1}})");
  EXPECT_EQ(ra->attempts, 1);
  EXPECT_GT(ra->finished_at, 0);
  EXPECT_EQ(get(b.id)->result, R"({"text":"ABC"})");
  EXPECT_FALSE(get(c.id)); // the duplicate created nothing
  EXPECT_EQ(get(d.id)->status, task_status::failed);

  EXPECT_EQ(queue.backlog(), 0);
  EXPECT_EQ(gauges.in_flight.load(), 0);
  EXPECT_EQ(gauges.records.load(), 3);

  const auto s = stats();
  EXPECT_EQ(s.submitted, 3u);
  EXPECT_EQ(s.succeeded, 2u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.dead + s.retried, 0u);
  EXPECT_EQ(s.backlog, 0);
  EXPECT_EQ(s.in_flight, 0);
  EXPECT_EQ(s.records, 3);
  EXPECT_EQ(s.workers, 2u);
  EXPECT_EQ(s.queue_wait.samples, 3u);
  EXPECT_EQ(s.processing.samples, 3u);

  // The key now names a finished task.
  ASSERT_TRUE(push({keyed("echo", "1", "k1")}, &results));
  run();
  ASSERT_EQ(results.results.size(), 4u);
  const auto& later = results.results[3].admissions.at(0);
  EXPECT_TRUE(later.duplicate);
  EXPECT_EQ(later.id, b.id);
  EXPECT_EQ(later.status, task_status::succeeded);
  EXPECT_EQ(queue.backlog(), 0); // duplicates leave the backlog at once
  EXPECT_EQ(stats().submitted, 3u);
}

TEST_F(Graph, ManyTasksThroughFewInFlightSlots) {
  start(3, 4);
  std::vector<task_id> ids;
  for (int s = 0; s < 10; ++s) {
    std::vector<task> batch;
    for (int i = 0; i < 10; ++i) {
      batch.push_back(make_task(i % 3 == 0 ? "sha256" : "echo", i % 3 == 0 ? "x" : "1"));
      batch.back().prio = i % 2 ? priority::high : priority::normal;
      ids.push_back(batch.back().id);
    }
    ASSERT_TRUE(push(std::move(batch), &results));
  }
  run();
  EXPECT_EQ(results.results.size(), 10u);
  for (const auto& id : ids) {
    const auto r = get(id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, task_status::succeeded);
  }
  EXPECT_EQ(queue.backlog(), 0);
  EXPECT_EQ(gauges.in_flight.load(), 0);
  const auto s = stats();
  EXPECT_EQ(s.submitted, 100u);
  EXPECT_EQ(s.succeeded, 100u);
  EXPECT_EQ(s.records, 100);
}

TEST_F(Graph, DelayedTaskIsRunningUntilItsTimeComes) {
  start();
  auto t = make_task("echo", "1");
  t.delay_ms = 5000;
  ASSERT_TRUE(push({t}, &results));
  run();
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(get(t.id)->status, task_status::running);
  EXPECT_EQ(queue.backlog(), 0); // handed to a worker
  EXPECT_EQ(gauges.in_flight.load(), 1);
  EXPECT_EQ(stats().in_flight, 1);
  advance(4999ms);
  EXPECT_EQ(get(t.id)->status, task_status::running);
  advance(1ms);
  EXPECT_EQ(get(t.id)->status, task_status::succeeded);
  EXPECT_EQ(gauges.in_flight.load(), 0);
}

TEST_F(Graph, RetriesAndDeadLettersAreCounted) {
  start(1);
  auto flaky = make_task("fail", "x", R"({"transient":true,"times":1})");
  auto hopeless = make_task("fail", "x", R"({"transient":true})");
  hopeless.max_attempts = 2;
  ASSERT_TRUE(push({flaky, hopeless}, &results));
  run();
  auto r = get(flaky.id);
  EXPECT_EQ(r->status, task_status::queued);
  EXPECT_GT(r->next_attempt_at, 0);
  EXPECT_EQ(r->error, "fail: transient failure requested (attempt 1)");
  EXPECT_EQ(gauges.in_flight.load(), 2); // waiting out a backoff is in flight
  advance(100ms);
  r = get(flaky.id);
  EXPECT_EQ(r->status, task_status::succeeded);
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(get(hopeless.id)->status, task_status::dead);
  EXPECT_EQ(get(hopeless.id)->attempts, 2);
  EXPECT_EQ(gauges.in_flight.load(), 0);
  const auto s = stats();
  EXPECT_EQ(s.retried, 2u);
  EXPECT_EQ(s.succeeded, 1u);
  EXPECT_EQ(s.dead, 1u);
}

TEST_F(Graph, FullQueueRefusesUntilTasksAreHandedOut) {
  start(2, 10);
  std::vector<task> fill;
  for (std::int64_t i = 0; i < queue.capacity(); ++i)
    fill.push_back(make_task("echo"));
  ASSERT_TRUE(push(std::move(fill), &results));
  EXPECT_EQ(queue.backlog(), queue.capacity());
  submission more{{make_task("echo")}, std::make_unique<recording_waiter>(&results)};
  EXPECT_FALSE(queue.try_push(more)); // the backlog gate
  EXPECT_EQ(more.tasks.size(), 1u);   // left intact for the caller
  run();
  EXPECT_EQ(queue.backlog(), 0);
  EXPECT_EQ(stats().succeeded, static_cast<std::uint64_t>(queue.capacity()));
  EXPECT_TRUE(queue.try_push(more));
  run();
  EXPECT_EQ(results.results.size(), 2u);
}

TEST_F(Graph, WakesIntakeOncePerIdleToNonEmptyTransition) {
  start();
  // Three pushes before intake runs: one wake-up message, one drain.
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(push({make_task("echo")}, &results));
  EXPECT_EQ(sched.jobs.size(), 1u); // only intake is scheduled, once
  run();
  EXPECT_EQ(results.results.size(), 3u);
  ASSERT_TRUE(push({make_task("echo")}, &results));
  EXPECT_EQ(sched.jobs.size(), 1u);
  run();
  EXPECT_EQ(results.results.size(), 4u);
}

// Regression: when the store gets to the admit request after its deadline,
// intake has already told the client 503. The late admission must not leave
// an orphan "queued" record holding the idempotency key (a retry would get
// 200 duplicate for a task that never runs): the store refuses a round past
// its deadline.
TEST_F(Graph, AdmissionAfterTheTimeoutLeavesNoOrphan) {
  start();
  auto t = keyed("echo", "1", "retry-me");
  ASSERT_TRUE(push({t}, &results));
  // intake drains and asks the store; the store does not get to run...
  ASSERT_TRUE(sched.prioritize(g.intake));
  sched.run_once();
  // ...until the admit request has timed out (deadline + grace) and intake
  // has answered.
  sched.advance_time(11s);
  ASSERT_TRUE(sched.prioritize(g.intake));
  sched.run_once();
  ASSERT_EQ(results.results.size(), 1u);
  EXPECT_EQ(results.results[0].outcome, kind::unavailable);
  EXPECT_EQ(queue.backlog(), 0);
  run(); // now the store handles the late admit
  advance(60s);

  // The client retries with the same key, as a 503 invites it to.
  ASSERT_TRUE(push({keyed("echo", "1", "retry-me")}, &results));
  run();
  ASSERT_EQ(results.results.size(), 2u);
  const auto& a = results.results[1].admissions.at(0);
  const auto record = get(a.id);
  ASSERT_TRUE(record);
  EXPECT_TRUE(is_terminal(record->status))
    << "the retry was answered duplicate=" << a.duplicate << " of a task that is still "
    << to_string(record->status) << " and is never dispatched";
  const auto orphan = get(t.id);
  EXPECT_FALSE(orphan && orphan->status == task_status::queued)
    << "the refused task's record stays queued forever";
}

// An actor that stops on its own is reported, once, by its role; here the
// store, stopped the way CAF 0.17 stops an actor that receives an error no
// request waited for (how a Valkey store once died). stop() is not reported.
TEST_F(Graph, AnActorThatStopsOnItsOwnIsReported) {
  std::vector<std::pair<std::string, caf::error>> down;
  start(2, 10'000, [&down](std::string_view actor, const caf::error& reason) {
    down.emplace_back(std::string(actor), reason);
  });
  caf::anon_send(caf::actor_cast<caf::actor>(g.store), caf::make_error(caf::sec::unexpected_message));
  run();
  ASSERT_EQ(down.size(), 1u) << "the store is the admission too: one report";
  EXPECT_EQ(down[0].first, "store");
  EXPECT_EQ(down[0].second, caf::make_error(caf::sec::unexpected_message));
  down.clear();
  g.stop();
  run();
  EXPECT_TRUE(down.empty()) << down.front().first << " reported after stop()";
}

TEST_F(Graph, StopEndsEveryActor) {
  start();
  g.stop();
  run();
  ASSERT_TRUE(push({make_task("echo")}, &results));
  run();
  EXPECT_TRUE(results.results.empty()); // nobody drains any more
}

} // namespace
} // namespace taskmesh::actors_test
