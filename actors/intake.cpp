// File: actors/intake.cpp
#include "actors/intake.hpp"

#include <algorithm>
#include <memory>
#include <utility>

namespace taskmesh {
namespace {

using self_ptr = intake_actor::stateful_pointer<intake_state>;
using submissions = std::vector<submission>;

// A round finished: if a drain was put off for it, do it now.
void round_done(self_ptr self) {
  auto& st = self->state;
  --st.rounds_in_flight;
  if (st.drain_deferred) {
    st.drain_deferred = false;
    self->send(self, drain_atom::value);
  }
}

// Everything intake knows about one drained round while it waits for the
// store, the sink and (for reserved tasks) the store again.
struct round {
  submissions subs;
  std::vector<submission_result> results; // per submission
  // Reserved, not yet recorded tasks (admission.recorded == false): their
  // queued records and where their admission sits in `results`.
  std::vector<task_record> unrecorded;
  std::vector<std::pair<std::size_t, std::size_t>> unrecorded_at; // (submission, task)
};
using round_ptr = std::shared_ptr<round>; // CAF handlers must be copyable

void forget(self_ptr self, std::vector<task_id> ids) {
  if (!ids.empty())
    self->send(self->state.store, forget_atom::value, std::move(ids));
}

// A recorded duplicate is answered from the store alone.
bool goes_to_sink(const admission& a) {
  return !a.duplicate || !a.recorded;
}

bool was_refused(const std::vector<task_id>& refused, const task_id& id) {
  return std::find(refused.begin(), refused.end(), id) != refused.end();
}

// Everything is settled. Count what was accepted, then tell every waiter.
// Counting first means a client that reads /stats right after its 202
// already sees its task (stats handles messages in arrival order). A
// submission with any task the sink refused is answered 503 as a whole
// (queue_full when the sink was at capacity, else unavailable), and the
// refused tasks' records are forgotten.
void finish(self_ptr self, const round_ptr& r, const dispatch_answer& answer) {
  const auto& refused = answer.refused;
  const auto refusal = answer.queue_full ? submission_result::kind::queue_full
                                         : submission_result::kind::unavailable;
  auto& st = self->state;
  stats_report report;
  report.by_op.resize(st.op_count);
  for (std::size_t s = 0; s < r->subs.size(); ++s) {
    auto& sub = r->subs[s];
    auto& result = r->results[s];
    bool all_taken = true;
    for (std::size_t i = 0; i < sub.tasks.size(); ++i)
      if (goes_to_sink(result.admissions[i]) && was_refused(refused, sub.tasks[i].id))
        all_taken = false;
    if (!all_taken) {
      result = {refusal, {}};
      continue;
    }
    for (std::size_t i = 0; i < sub.tasks.size(); ++i)
      if (!result.admissions[i].duplicate)
        ++report.by_op[sub.tasks[i].op].submitted;
  }
  self->send(st.stats, report_atom::value, std::move(report));
  forget(self, refused);
  for (std::size_t s = 0; s < r->subs.size(); ++s)
    r->subs[s].waiter->complete(std::move(r->results[s]));
  round_done(self);
}

// The sink answered (cluster: JetStream stored what it did not refuse).
// Reserved tasks it took get their queued records now, so a GET right after
// the 202 finds them. If the store fails here the tasks are still durable
// in the sink and their workers write the records, so the answer stays 202.
void record_taken(self_ptr self, const round_ptr& r, dispatch_answer answer) {
  const auto& refused = answer.refused;
  std::vector<task_record> records;
  std::vector<std::pair<std::size_t, std::size_t>> at;
  for (std::size_t k = 0; k < r->unrecorded.size(); ++k)
    if (!was_refused(refused, r->unrecorded[k].id)) {
      records.push_back(std::move(r->unrecorded[k]));
      at.push_back(r->unrecorded_at[k]);
    }
  if (records.empty()) {
    finish(self, r, answer);
    return;
  }
  self->request(self->state.store, self->state.config.admit_timeout, record_atom::value,
                std::move(records))
    .then(
      [=](std::vector<admission>& recorded) {
        // A new task is answered "queued", as accepted, even when a fast
        // worker already finished it; a taken-over duplicate is answered
        // with its task's current status, like any duplicate.
        for (std::size_t k = 0; k < recorded.size() && k < at.size(); ++k) {
          auto& answer = r->results[at[k].first].admissions[at[k].second];
          if (answer.duplicate)
            answer.status = recorded[k].status;
        }
        finish(self, r, answer);
      },
      [=](caf::error&) { finish(self, r, answer); });
}

// The store answered: duplicates are settled, the rest go to the sink
// (embedded: the dispatcher; cluster: JetStream), which confirms them.
void settle(self_ptr self, const round_ptr& r, std::vector<admission>& admissions) {
  auto& st = self->state;
  std::vector<task> accepted;
  std::vector<task_id> accepted_ids;
  accepted.reserve(admissions.size());
  accepted_ids.reserve(admissions.size());
  r->results.resize(r->subs.size());
  std::size_t next = 0;
  std::size_t duplicates = 0;
  for (std::size_t s = 0; s < r->subs.size(); ++s) {
    auto& sub = r->subs[s];
    auto& result = r->results[s];
    result.admissions.assign(admissions.begin() + static_cast<std::ptrdiff_t>(next),
                             admissions.begin() + static_cast<std::ptrdiff_t>(next + sub.tasks.size()));
    next += sub.tasks.size();
    for (std::size_t i = 0; i < sub.tasks.size(); ++i) {
      const admission& a = result.admissions[i];
      if (!goes_to_sink(a)) {
        ++duplicates;
        continue;
      }
      task& t = sub.tasks[i];
      if (!a.recorded) {
        t.id = a.id; // the id reserved for its idempotency key (maybe an earlier request's)
        r->unrecorded.push_back(queued_record(t));
        r->unrecorded_at.emplace_back(s, i);
      }
      accepted_ids.push_back(t.id);
      // Moved-from tasks keep id and op (plain fields) for the answer.
      accepted.push_back(std::move(t));
    }
  }
  st.queue->release(duplicates);
  if (accepted.empty()) {
    finish(self, r, {});
    return;
  }
  // The sink releases the backlog for what it takes (when tasks leave it).
  self->request(st.sink, st.config.admit_timeout, dispatch_atom::value, std::move(accepted))
    .then([=](dispatch_answer& answer) { record_taken(self, r, std::move(answer)); },
          [=](caf::error&) {
            // No answer in time: the sink may still take them. Refuse all;
            // its backlog release is its own business.
            finish(self, r, {accepted_ids, false});
          });
}

// The store did not answer in time: nothing was accepted. The store may
// still record them later (it was only slow), so tell it to forget them;
// it handles that after the admit, both being messages from this actor.
void refuse(self_ptr self, const round_ptr& r) {
  std::vector<task_id> ids;
  for (auto& sub : r->subs) {
    for (const auto& t : sub.tasks)
      ids.push_back(t.id);
    sub.waiter->complete({submission_result::kind::unavailable, {}});
  }
  self->state.queue->release(ids.size());
  forget(self, std::move(ids));
  round_done(self);
}

void admit(self_ptr self, submissions subs) {
  std::vector<task_record> records;
  std::size_t n = 0;
  for (const auto& sub : subs)
    n += sub.tasks.size();
  records.reserve(n);
  const bool claims = self->state.config.run_claims;
  for (auto& sub : subs)
    for (auto& t : sub.tasks) {
      if (claims)
        t.claim = std::make_shared<run_claim>();
      records.push_back(queued_record(t));
    }
  auto r = std::make_shared<round>();
  r->subs = std::move(subs);
  self->request(self->state.store, self->state.config.admit_timeout, admit_atom::value,
                std::move(records))
    .then([=](std::vector<admission>& admissions) { settle(self, r, admissions); },
          [=](caf::error&) { refuse(self, r); });
}

} // namespace

intake_actor::behavior_type intake(intake_actor::stateful_pointer<intake_state> self,
                                   intake_config config, intake_queue* queue, std::size_t op_count,
                                   store_actor store, worker_sink_actor sink,
                                   stats_actor stats) {
  auto& st = self->state;
  st.config = config;
  st.queue = queue;
  st.op_count = op_count;
  st.store = std::move(store);
  st.sink = std::move(sink);
  st.stats = std::move(stats);
  return {
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
      // messages (store replies) had their turn, instead of looping here.
      if (n == st.config.drain_batch || st.queue->finish_drain())
        self->send(self, drain_atom::value);
    },
  };
}

} // namespace taskmesh
