// File: tests/actors/test_system.hpp
// The fixture every actor test uses: an actor system on CAF's deterministic
// testing scheduler (one thread, fake time), plus the long-lived objects the
// actors point into, probe actors that record what they receive, and a few
// helpers to build tasks and ask actors for replies.
//
// CAF's own test DSL (caf/test/dsl.hpp) is tied to CAF's unit_test engine
// (CAF_CHECK, engine::argv), so this fixture drives the test_coordinator
// directly instead:
//   run()            run every job until all mailboxes are empty
//   advance(d)       move fake time forward by d (fires due timers), then run()
// Timers never fire unless time is advanced, so periodic timers (store sweep,
// stats tick) stay quiet and a 5 s delay takes microseconds.
#pragma once

#include <chrono>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "actors/intake_queue.hpp"
#include "actors/messages.hpp"
#include "actors/ops/registry.hpp"
#include "actors/pipeline.hpp"
#include "actors/task_metrics.hpp"

namespace taskmesh::actors_test {

using namespace std::chrono_literals;

class test_config : public caf::actor_system_config {
public:
  test_config() {
    add_message_types<caf::id_block::taskmesh>();
    add_error_category(caf::atom("taskmesh"),
                       [](std::uint8_t code, caf::atom_value, const caf::message&) {
                         return "taskmesh: " + to_string(static_cast<errc>(code));
                       });
    set("scheduler.policy", caf::atom("testing"));
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

// A reply (or the error) an actor gave to ask().
template <class T>
struct reply {
  std::optional<T> value;
  std::optional<caf::error> error;
};

// -- probes: fake actors that record every message ------------------------------

struct store_log {
  std::vector<std::vector<task_record>> updates;
  // All updates in arrival order, flattened.
  std::vector<task_record> all_updates() const {
    std::vector<task_record> out;
    for (const auto& batch : updates)
      out.insert(out.end(), batch.begin(), batch.end());
    return out;
  }
};

struct stats_log {
  std::vector<stats_report> reports;
};

struct done_message {
  worker_actor worker;
  std::uint32_t finished = 0;
  bool wants_work = false;
};

struct dispatcher_log {
  std::vector<std::vector<task>> dispatched;
  std::vector<done_message> done;
};

struct worker_log {
  std::vector<std::vector<task>> batches;
};

struct admission_log {
  std::vector<admission_request> rounds;
};

// How a probe admission seam answers a round (default: everything admitted
// as new and given back to run here, as the memory store does).
using admission_script = std::function<admission_answer(admission_request&)>;

inline admission_answer admit_all_here(admission_request& round) {
  admission_answer out;
  for (const auto& t : round.tasks)
    out.admissions.push_back({t.id, task_status::queued, false});
  out.run_here = std::move(round.tasks);
  return out;
}

inline admission_actor::behavior_type probe_admission(admission_actor::pointer, admission_log* log,
                                                      admission_script script) {
  return {
    [=](admit_atom, admission_request& round) {
      log->rounds.push_back(round);
      return script ? script(round) : admit_all_here(round);
    },
  };
}

// A seam that takes rounds but never answers them (for request timeouts).
inline admission_actor::behavior_type silent_admission(admission_actor::pointer self) {
  return {
    [=](admit_atom, admission_request&) -> caf::result<admission_answer> {
      return self->make_response_promise<admission_answer>();
    },
  };
}

// Records updates.
inline store_actor::behavior_type probe_store(store_actor::pointer, store_log* log) {
  return {
    [=](update_atom, std::vector<task_record>& batch) { log->updates.push_back(batch); },
    [=](get_atom, const task_id&) -> caf::result<task_record> {
      return caf::make_error(errc::not_found);
    },
    [=](cancel_atom, const task_id&) { return cancel_result{}; }, // not used here
    [=](sweep_atom) {},
  };
}

// A store that takes requests but never answers them (for request timeouts).
inline store_actor::behavior_type silent_store(store_actor::pointer self) {
  return {
    [=](update_atom, std::vector<task_record>&) {},
    [=](get_atom, const task_id&) -> caf::result<task_record> {
      return self->make_response_promise<task_record>();
    },
    [=](cancel_atom, const task_id&) { return cancel_result{}; }, // not used here
    [=](sweep_atom) {},
  };
}

inline stats_actor::behavior_type probe_stats(stats_actor::pointer, stats_log* log) {
  return {
    [=](report_atom, const stats_report& r) { log->reports.push_back(r); },
    [=](get_atom) { return stats_snapshot{}; },
    [=](tick_atom) {},
  };
}

inline dispatcher_actor::behavior_type probe_dispatcher(dispatcher_actor::pointer,
                                                        dispatcher_log* log) {
  return {
    [=](dispatch_atom, std::vector<task>& tasks) {
      log->dispatched.push_back(tasks);
    },
    [=](done_atom, worker_actor& w, std::uint32_t finished, bool wants_work) {
      log->done.push_back({w, finished, wants_work});
    },
  };
}

inline worker_actor::behavior_type probe_worker(worker_actor::pointer, worker_log* log) {
  return {
    [=](run_atom, std::vector<task>& batch) { log->batches.push_back(batch); },
    [=](resume_atom, std::uint64_t) {},
    [=](retry_atom, std::uint64_t) {},
    [=](cancel_atom, std::uint64_t) {},
    [=](flush_atom) {},
    [=](sweep_atom) {},
  };
}

// Records what the pipeline answered a submission.
struct recorded_results {
  std::vector<submission_result> results;
};

class recording_waiter final : public submission_waiter {
public:
  explicit recording_waiter(recorded_results* out) : out_(out) {}
  void complete(submission_result result) noexcept override {
    out_->results.push_back(std::move(result));
  }

private:
  recorded_results* out_;
};

// -- the fixture ----------------------------------------------------------------

class actor_test : public ::testing::Test {
protected:
  actor_test() {
    queue.on_wake([this] { ++wakes; });
  }

  ~actor_test() override {
    // Stop every actor the test spawned so the system's shutdown does not
    // wait for them (their periodic timers would keep them alive).
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
  }

  // Spawns and remembers the actor for shutdown. Runs the scheduler once so
  // the actor initializes now (CAF runs an actor's behavior function on its
  // first turn): timers it arms at start count from the current fake time.
  template <class... Ts>
  auto spawn(Ts&&... xs) {
    auto handle = sys.spawn(std::forward<Ts>(xs)...);
    spawned.push_back(caf::actor_cast<caf::actor>(handle));
    sched.run();
    return handle;
  }

  std::size_t run() { return sched.run(); }

  // Advances fake time (firing the timers that fall due) and runs what they sent.
  void advance(caf::timespan d) {
    sched.advance_time(d);
    sched.run();
  }

  // Sends a request from a throwaway actor, runs the system, returns the reply.
  template <class T, class Handle, class... Ts>
  reply<T> ask(const Handle& dest, Ts... xs) {
    auto out = std::make_shared<reply<T>>();
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(dest, caf::infinite, xs...)
        .then([=](T& value) { out->value = std::move(value); },
              [=](caf::error& e) { out->error = std::move(e); });
    });
    sched.run();
    return std::move(*out);
  }

  op_index op(std::string_view name) const {
    op_index i = 0;
    EXPECT_NE(ops.find(name, &i), nullptr) << name;
    return i;
  }

  // A task as the codec would produce it: json ops get serialized JSON as
  // payload, text ops the decoded text.
  task make_task(std::string_view op_name, std::string payload = "null", std::string params = "",
                 priority prio = priority::normal) const {
    task t;
    t.id = task_id::generate();
    t.op = op(op_name);
    t.prio = prio;
    t.payload = std::move(payload);
    t.params = std::move(params);
    t.submitted_at = now_us();
    return t;
  }

  // n echo tasks in one lane.
  std::vector<task> tasks(std::size_t n, priority prio = priority::normal) const {
    std::vector<task> out;
    for (std::size_t i = 0; i < n; ++i)
      out.push_back(make_task("echo", std::to_string(i), "", prio));
    return out;
  }

  // A worker's done message to a dispatcher, as the worker sends it.
  void ask_for_work(const dispatcher_actor& d, const worker_actor& w, std::uint32_t finished = 0,
                    bool wants_work = true) {
    caf::anon_send(d, done_atom::value, w, finished, wants_work);
    run();
  }

  // Tasks a probe worker received, over all its batches.
  static std::size_t handed_out(const worker_log& log) {
    std::size_t n = 0;
    for (const auto& b : log.batches)
      n += b.size();
    return n;
  }

  // Pushes tasks through the intake queue (so the backlog counts them).
  bool push(std::vector<task> tasks, recorded_results* out) {
    submission s{std::move(tasks), std::make_unique<recording_waiter>(out)};
    return queue.try_push(s);
  }

  // Shared objects first: actors point into them, so they must outlive `sys`.
  op_registry ops = op_registry::builtin();
  intake_queue queue{1000, 1};
  int wakes = 0;
  pipeline_gauges gauges;
  prometheus::Registry registry;
  task_metrics metrics{registry, ops};

  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched =
    dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  std::vector<caf::actor> spawned;
};

} // namespace taskmesh::actors_test
