// File: apps/taskmesh/wiring.hpp
// The only place that decides, from the configuration, which actors fill the
// graph's seams (today: the embedded in-memory store).
#pragma once

#include <caf/actor_system.hpp>

#include "actors/graph.hpp"
#include "apps/taskmesh/config.hpp"

namespace taskmesh::app {

graph_config graph_config_from(const config& c);
actor_graph build_graph(caf::actor_system& sys, const config& c, graph_context ctx);

} // namespace taskmesh::app
