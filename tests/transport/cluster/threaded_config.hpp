// File: tests/transport/cluster/threaded_config.hpp
// The actor system of the cluster actor tests: real threads, because the
// actors under test are detached and block in nats.c or hiredis (CAF's
// testing scheduler cannot drive them); the taskmesh message types and
// error category; quiet CAF logs.
#pragma once

#include <string>

#include <caf/all.hpp>

#include "actors/messages.hpp"

namespace taskmesh::cluster_test {

class threaded_config : public caf::actor_system_config {
public:
  explicit threaded_config(int max_threads = 2) {
    add_message_types<caf::id_block::taskmesh>();
    add_error_category(caf::atom("taskmesh"),
                       [](std::uint8_t code, caf::atom_value, const caf::message&) {
                         return "taskmesh: " + to_string(static_cast<errc>(code));
                       });
    set("scheduler.max-threads", max_threads);
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
  }
};

} // namespace taskmesh::cluster_test
