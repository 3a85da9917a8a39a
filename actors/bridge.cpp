// File: actors/bridge.cpp
#include "actors/bridge.hpp"

namespace taskmesh {

std::string to_string(errc x) {
  switch (x) {
    case errc::not_found: return "not_found";
    case errc::unavailable: return "unavailable";
  }
  return "unknown";
}

bridge_actor::behavior_type bridge(bridge_actor::stateful_pointer<bridge_state> self,
                                   store_actor store, stats_actor stats) {
  self->state.store = std::move(store);
  self->state.stats = std::move(stats);
  return {
    [=](get_atom, const task_id& id, const lookup_callback& done) {
      self->request(self->state.store, self->state.timeout, get_atom::value, id)
        .then(
          [=](task_record& r) { done({lookup_result::kind::found, std::move(r)}); },
          [=](caf::error& e) {
            const bool missing = e.category() == caf::atom("taskmesh") &&
                                 e.code() == static_cast<std::uint8_t>(errc::not_found);
            done({missing ? lookup_result::kind::not_found : lookup_result::kind::unavailable, {}});
          });
    },
    [=](cancel_atom, const task_id& id, const cancel_callback& done) {
      self->request(self->state.store, self->state.timeout, cancel_atom::value, id)
        .then(
          [=](cancel_result& r) {
            if (r.outcome == cancel_result::kind::cancelled) {
              stats_report report;
              report.by_op.resize(static_cast<std::size_t>(r.record.op) + 1);
              report.by_op[r.record.op].cancelled = 1;
              self->send(self->state.stats, report_atom::value, std::move(report));
            }
            done(std::move(r));
          },
          [=](caf::error&) { done({cancel_result::kind::unavailable, {}}); });
    },
    [=](get_atom, const stats_callback& done) {
      self->request(self->state.stats, self->state.timeout, get_atom::value)
        .then([=](stats_snapshot& s) { done(std::move(s)); },
              [=](caf::error&) { done(stats_snapshot{}); });
    },
  };
}

} // namespace taskmesh
