// File: actors/intake.cpp
#include "actors/intake.hpp"

#include <memory>

namespace taskmesh {
namespace {

using self_ptr = intake_actor::stateful_pointer<intake_state>;
using submissions = std::vector<submission>;

// The store answered: forward what was accepted, count it, then tell every
// waiter. Counting first means a client that reads /stats right after its
// 202 already sees its task (stats handles messages in arrival order).
void settle(self_ptr self, submissions& subs, std::vector<admission>& admissions) {
  auto& st = self->state;
  std::vector<task> accepted;
  accepted.reserve(admissions.size());
  stats_report report;
  report.by_op.resize(st.op_count);
  std::vector<submission_result> results(subs.size());
  std::size_t next = 0;
  std::size_t duplicates = 0;
  for (std::size_t s = 0; s < subs.size(); ++s) {
    auto& sub = subs[s];
    auto& result = results[s];
    result.admissions.assign(admissions.begin() + static_cast<std::ptrdiff_t>(next),
                             admissions.begin() + static_cast<std::ptrdiff_t>(next + sub.tasks.size()));
    next += sub.tasks.size();
    for (std::size_t i = 0; i < sub.tasks.size(); ++i) {
      if (result.admissions[i].duplicate) {
        ++duplicates;
        continue;
      }
      ++report.by_op[sub.tasks[i].op].submitted;
      accepted.push_back(std::move(sub.tasks[i]));
    }
  }
  st.queue->release(duplicates);
  if (!accepted.empty()) {
    self->send(st.stats, report_atom::value, std::move(report));
    self->send(st.dispatcher, dispatch_atom::value, std::move(accepted));
  }
  for (std::size_t s = 0; s < subs.size(); ++s)
    subs[s].waiter->complete(std::move(results[s]));
}

// The store did not answer in time: nothing was accepted. The store may
// still record them later (it was only slow), so tell it to forget them;
// it handles that after the admit, both being messages from this actor.
void refuse(self_ptr self, submissions& subs) {
  std::vector<task_id> ids;
  for (auto& sub : subs) {
    for (const auto& t : sub.tasks)
      ids.push_back(t.id);
    sub.waiter->complete({submission_result::kind::unavailable, {}});
  }
  self->state.queue->release(ids.size());
  self->send(self->state.store, forget_atom::value, std::move(ids));
}

void admit(self_ptr self, submissions subs) {
  std::vector<task_record> records;
  std::size_t n = 0;
  for (const auto& sub : subs)
    n += sub.tasks.size();
  records.reserve(n);
  for (const auto& sub : subs)
    for (const auto& t : sub.tasks)
      records.push_back(queued_record(t));
  // Submissions own move-only waiters; CAF handlers must be copyable.
  auto pending = std::make_shared<submissions>(std::move(subs));
  self->request(self->state.store, self->state.config.admit_timeout, admit_atom::value,
                std::move(records))
    .then([=](std::vector<admission>& admissions) { settle(self, *pending, admissions); },
          [=](caf::error&) { refuse(self, *pending); });
}

} // namespace

intake_actor::behavior_type intake(intake_actor::stateful_pointer<intake_state> self,
                                   intake_config config, intake_queue* queue, std::size_t op_count,
                                   store_actor store, dispatcher_actor dispatcher,
                                   stats_actor stats) {
  auto& st = self->state;
  st.config = config;
  st.queue = queue;
  st.op_count = op_count;
  st.store = std::move(store);
  st.dispatcher = std::move(dispatcher);
  st.stats = std::move(stats);
  return {
    [=](drain_atom) {
      auto& st = self->state;
      submissions subs;
      const auto n = st.queue->drain(subs, st.config.drain_batch);
      if (n > 0)
        admit(self, std::move(subs));
      // A full round may mean more is waiting: come back after other
      // messages (store replies) had their turn, instead of looping here.
      if (n == st.config.drain_batch || st.queue->finish_drain())
        self->send(self, drain_atom::value);
    },
  };
}

} // namespace taskmesh
