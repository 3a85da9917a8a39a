// File: actors/bridge.hpp
// The one adapter between non-actor code and the actor graph for reads:
// HTTP threads send a request with a callback and return at once; the bridge
// asks the store or stats actor and hands the answer to the callback (which
// posts it back onto the HTTP session's executor). No thread ever blocks on
// an actor.
#pragma once

#include <chrono>

#include "actors/messages.hpp"

namespace taskmesh {

struct bridge_state {
  static inline const char* name = "bridge";
  // First member must not be constructible from the self pointer: CAF checks
  // is_constructible<State, self*>, which C++20 aggregate init would satisfy.
  std::chrono::milliseconds timeout{5000};
  store_actor store;
  stats_actor stats;
};

bridge_actor::behavior_type bridge(bridge_actor::stateful_pointer<bridge_state> self,
                                   store_actor store, stats_actor stats);

} // namespace taskmesh
