// File: tests/transport/nats/nats_server.hpp
// The nats-server fixture moved to tests/support/nats_server.hpp (shared with
// the cluster topology of the integration tests and tests/cluster); this
// header keeps the names the NATS tests use.
#pragma once

#include "tests/support/nats_server.hpp"

namespace taskmesh::nats_test {

using test_support::find_nats_server;
using test_support::nats_server;

} // namespace taskmesh::nats_test
