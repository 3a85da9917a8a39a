// File: tests/transport/nats/nats_server.cpp
// Intentionally empty: the nats-server fixture lives in
// tests/support/nats_server.cpp (library taskmesh::test_support). Kept so a
// target that still lists this file keeps building.
#include "tests/transport/nats/nats_server.hpp"
