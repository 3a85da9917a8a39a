// File: bench/loadgen/runner.hpp
// The threading model, in one place: connection i lives on thread
// i % threads, each thread runs its own io_context, every connection runs
// one coroutine ("body") that loops until it is done. All connections are
// opened first, then every body starts at one shared start time, so the
// first requests do not race the connects. No locks on the request path:
// bodies on one thread share that thread's state only.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "bench/loadgen/connection.hpp"
#include "bench/loadgen/open_loop_schedule.hpp"

namespace taskmesh::loadgen {

// The run cannot start at all (bad host, nothing listening). The only
// failure that makes the binary exit non-zero.
struct setup_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Resolves host:port and opens (then closes) one connection to prove that
// something listens there. Throws setup_error.
endpoints resolve_and_probe(const std::string& host, const std::string& port);

struct body_context {
  connection& conn;
  int thread; // 0 .. threads-1: index into per-thread state
  int index;  // 0 .. connections-1
  steady::time_point start;
};

using connection_body = std::function<boost::asio::awaitable<void>(body_context)>;

// Runs `connections` bodies over min(threads, connections) threads and
// returns when all have finished; rethrows the first exception a body threw.
// Returns the number of threads actually used.
int run_connections(const endpoints& eps, int threads, int connections,
                    std::chrono::nanoseconds timeout, const connection_body& body);

// Threads run_connections will use (state is allocated per thread up front).
inline int effective_threads(int threads, int connections) noexcept {
  return std::max(1, std::min(threads, connections));
}

} // namespace taskmesh::loadgen
