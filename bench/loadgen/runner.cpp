// File: bench/loadgen/runner.cpp
#include "bench/loadgen/runner.hpp"

#include <exception>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>

namespace taskmesh::loadgen {

namespace asio = boost::asio;

endpoints resolve_and_probe(const std::string& host, const std::string& port) {
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto eps = resolver.resolve(host, port, ec);
  if (ec) throw setup_error("cannot resolve " + host + ":" + port + ": " + ec.message());
  asio::ip::tcp::socket probe(ioc);
  asio::connect(probe, eps, ec);
  if (ec) throw setup_error("cannot connect to " + host + ":" + port + ": " + ec.message());
  return eps;
}

int run_connections(const endpoints& eps, int threads, int connections,
                    std::chrono::nanoseconds timeout, const connection_body& body) {
  const int n_threads = effective_threads(threads, connections);
  std::latch connected(n_threads);
  std::latch go(1);
  steady::time_point start{};
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(n_threads));
  std::vector<std::jthread> pool;
  pool.reserve(static_cast<std::size_t>(n_threads));

  for (int t = 0; t < n_threads; ++t) {
    pool.emplace_back([&, t] {
      asio::io_context ioc(1);
      std::vector<std::unique_ptr<connection>> conns;
      for (int i = t; i < connections; i += n_threads) {
        conns.push_back(std::make_unique<connection>(ioc.get_executor(), eps, timeout));
        conns.back()->connect_now();
      }
      connected.count_down();
      go.wait(); // `start` is written before go opens
      for (std::size_t k = 0; k < conns.size(); ++k) {
        const int index = t + static_cast<int>(k) * n_threads;
        asio::co_spawn(ioc, body(body_context{*conns[k], t, index, start}),
                       [&failures, t](std::exception_ptr e) {
                         if (e && !failures[static_cast<std::size_t>(t)])
                           failures[static_cast<std::size_t>(t)] = e;
                       });
      }
      ioc.run();
    });
  }
  connected.wait();
  start = steady::now();
  go.count_down();
  pool.clear(); // joins
  for (auto& e : failures)
    if (e) std::rethrow_exception(e);
  return n_threads;
}

} // namespace taskmesh::loadgen
