// File: actors/intake.cpp
#include "actors/intake.hpp"

#include <memory>
#include <utility>

namespace taskmesh {
namespace {

using self_ptr = intake_actor::stateful_pointer<intake_state>;
using submissions = std::vector<submission>;

// A round finished: if a drain was put off for it, do it now, or after
// gather_wait when only a few tasks wait (they become one bigger round).
void round_done(self_ptr self) {
  auto& st = self->state;
  --st.rounds_in_flight;
  if (!st.drain_deferred)
    return;
  st.drain_deferred = false;
  if (st.config.gather_wait.count() > 0 && st.queue->waiting() < st.config.gather_min)
    self->delayed_send(self, st.config.gather_wait, drain_atom::value);
  else
    self->send(self, drain_atom::value);
}

// What intake keeps of a drained round while the seam has its tasks.
struct round {
  std::vector<std::unique_ptr<submission_waiter>> waiters;
  std::vector<std::size_t> sizes; // tasks per submission
  std::vector<op_index> ops;      // per task, for the submitted counters
};
using round_ptr = std::shared_ptr<round>; // CAF handlers must be copyable

std::size_t task_count(const round& r) {
  return r.ops.size();
}

// Nothing was admitted (no answer in time, or the seam is gone).
void refuse(self_ptr self, const round_ptr& r) {
  for (auto& w : r->waiters)
    w->complete({submission_result::kind::unavailable, {}});
  self->state.queue->release(task_count(*r));
  round_done(self);
}

// The seam's answer is final. The tasks it gave back go to the dispatcher
// (which releases their backlog when it hands them out); the rest leave the
// backlog now. Counting comes before the answers, so a client that reads
// /stats right after its 202 already sees its task (stats handles messages
// in arrival order). A submission with any refused task is answered 503 as
// a whole: queue_full if one was refused for a full queue, else unavailable.
void finish(self_ptr self, const round_ptr& r, admission_answer& answer) {
  auto& st = self->state;
  auto& admissions = answer.admissions;
  if (admissions.size() != task_count(*r)) { // a seam bug; never answer out of step
    refuse(self, r);
    return;
  }
  st.queue->release(task_count(*r) - answer.run_here.size());
  // self->send, not caf::anon_send: a message sent with the sender's context
  // schedules the dispatcher on this scheduler thread; anon_send has no
  // context, so CAF's central queue hands it to the next thread round-robin
  // and wakes it (a futex wake per round: POST /task +18% without it,
  // docs/benchmarks.md, "One wake-up less per round").
  if (!answer.run_here.empty() && st.dispatcher)
    self->send(st.dispatcher, dispatch_atom::value, std::move(answer.run_here));
  stats_report report;
  report.by_op.resize(st.op_count);
  std::vector<submission_result> results(r->waiters.size());
  std::size_t next = 0;
  for (std::size_t s = 0; s < r->waiters.size(); ++s) {
    const auto first = next;
    next += r->sizes[s];
    auto refusal = admission::refusal::none;
    for (auto i = first; i < next; ++i)
      if (admissions[i].refused != admission::refusal::none && refusal != admission::refusal::queue_full)
        refusal = admissions[i].refused;
    if (refusal != admission::refusal::none) {
      results[s].outcome = refusal == admission::refusal::queue_full
                             ? submission_result::kind::queue_full
                             : submission_result::kind::unavailable;
      continue;
    }
    for (auto i = first; i < next; ++i)
      if (!admissions[i].duplicate)
        ++report.by_op[r->ops[i]].submitted;
    results[s].admissions.assign(std::make_move_iterator(admissions.begin() + static_cast<std::ptrdiff_t>(first)),
                                 std::make_move_iterator(admissions.begin() + static_cast<std::ptrdiff_t>(next)));
  }
  self->send(st.stats, report_atom::value, std::move(report));
  for (std::size_t s = 0; s < r->waiters.size(); ++s)
    r->waiters[s]->complete(std::move(results[s]));
  round_done(self);
}

void admit(self_ptr self, submissions subs) {
  auto& st = self->state;
  auto r = std::make_shared<round>();
  admission_request request;
  std::size_t n = 0;
  for (const auto& sub : subs)
    n += sub.tasks.size();
  request.tasks.reserve(n);
  r->ops.reserve(n);
  r->waiters.reserve(subs.size());
  r->sizes.reserve(subs.size());
  for (auto& sub : subs) {
    r->sizes.push_back(sub.tasks.size());
    r->waiters.push_back(std::move(sub.waiter));
    for (auto& t : sub.tasks) {
      r->ops.push_back(t.op);
      request.tasks.push_back(std::move(t));
    }
  }
  request.deadline = self->clock().now() + st.config.admit_timeout;
  // No CAF request timeout (a clock-thread wake-up on set and on cancel,
  // per round): the round's give-up time sits in request_deadlines.
  const auto pending = st.rounds.add(request.deadline + st.config.admit_grace,
                                     [=] { refuse(self, r); });
  arm_sweep(self, st.rounds);
  self->request(st.admission, caf::infinite, admit_atom::value, std::move(request))
    .then(
      [=](admission_answer& answer) {
        if (self->state.rounds.settle(pending))
          finish(self, r, answer);
      },
      [=](caf::error&) {
        if (self->state.rounds.settle(pending))
          refuse(self, r);
      });
}

} // namespace

intake_actor::behavior_type intake(intake_actor::stateful_pointer<intake_state> self,
                                   intake_config config, intake_queue* queue, std::size_t op_count,
                                   admission_actor admission, dispatcher_actor dispatcher,
                                   stats_actor stats) {
  auto& st = self->state;
  st.config = config;
  st.queue = queue;
  st.op_count = op_count;
  st.admission = std::move(admission);
  st.dispatcher = std::move(dispatcher);
  st.stats = std::move(stats);
  return {
    [=](sweep_atom) {
      auto& st = self->state;
      st.rounds.expire(self->clock().now());
      arm_sweep(self, st.rounds);
    },
    [=](drain_atom) {
      auto& st = self->state;
      if (st.rounds_in_flight >= st.config.max_rounds_in_flight) {
        // Stay "woken" (producers send no more wake-ups); the next finished
        // round drains everything that arrived meanwhile in one go.
        st.drain_deferred = true;
        return;
      }
      submissions subs;
      const auto n = st.queue->drain(subs, st.config.drain_batch);
      if (n > 0) {
        ++st.rounds_in_flight;
        admit(self, std::move(subs));
      }
      // A full round may mean more is waiting: come back after other
      // messages (seam answers) had their turn, instead of looping here.
      if (n == st.config.drain_batch || st.queue->finish_drain())
        self->send(self, drain_atom::value);
    },
  };
}

} // namespace taskmesh
