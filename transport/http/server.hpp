// File: transport/http/server.hpp
// The HTTP server: one io_context and one thread per I/O thread; a
// connection lives on one thread, so sessions share no lock. The first
// thread accepts and hands connections to the threads in turn. SO_REUSEPORT
// is deliberately not used: it would let a second process silently share
// the port. A session is one coroutine (session.cpp).
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include <boost/asio/executor_work_guard.hpp>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "transport/http/access/connection_limiter.hpp"
#include "transport/http/context.hpp"
#include "transport/http/router.hpp"

namespace taskmesh::http {

class server {
public:
  server(context& ctx, router routes, asio::ip::tcp::endpoint listen, unsigned io_threads);
  ~server();

  // Binds and starts the I/O threads. Throws boost::system::system_error if
  // the address cannot be bound.
  void start();
  // Closes the listening sockets; open connections keep being served.
  void stop_accepting();
  // Stops everything and joins the threads.
  void stop();

  asio::ip::tcp::endpoint local_endpoint() const { return bound_; }
  std::size_t connections() const noexcept { return connections_.load(); }

private:
  struct io_thread {
    asio::io_context ioc{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::unique_ptr<asio::ip::tcp::acceptor> acceptor; // first thread only
    std::thread thread;
  };

  awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor);

  context& ctx_;
  router routes_;
  asio::ip::tcp::endpoint listen_;
  asio::ip::tcp::endpoint bound_;
  std::vector<std::unique_ptr<io_thread>> threads_;
  std::atomic<std::size_t> connections_{0};
  std::unique_ptr<connection_limiter> per_ip_; // --max-connections-per-ip, if set
  bool stopped_ = false;
};

// One connection: read a request (with size limits and a deadline), route
// it, write the response, repeat while keep-alive. Defined in session.cpp.
awaitable<void> run_session(asio::ip::tcp::socket socket, context& ctx, const router& routes);

} // namespace taskmesh::http
