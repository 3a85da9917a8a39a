// File: transport/http/server.cpp
#include "transport/http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

#include <boost/asio/steady_timer.hpp>

#include <unistd.h>

namespace taskmesh::http {
namespace {

using asio::ip::tcp;

// Pause after an accept error such as EMFILE, so a full descriptor table
// does not turn the accept loop into a busy loop.
constexpr auto accept_error_pause = std::chrono::milliseconds(50);

std::unique_ptr<tcp::acceptor> open_acceptor(asio::io_context& ioc, const tcp::endpoint& ep) {
  auto a = std::make_unique<tcp::acceptor>(ioc);
  a->open(ep.protocol());
  a->set_option(asio::socket_base::reuse_address(true));
  a->bind(ep);
  a->listen(asio::socket_base::max_listen_connections);
  return a;
}


} // namespace

server::server(context& ctx, router routes, tcp::endpoint listen, unsigned io_threads)
  : ctx_(ctx), routes_(std::move(routes)), listen_(listen) {
  if (ctx_.limits.max_connections_per_ip > 0)
    per_ip_ = std::make_unique<connection_limiter>(ctx_.limits.max_connections_per_ip);
  for (unsigned i = 0; i < std::max(1u, io_threads); ++i)
    threads_.push_back(std::make_unique<io_thread>());
}

server::~server() {
  stop();
}

void server::start() {
  auto& first = *threads_.front();
  first.acceptor = open_acceptor(first.ioc, listen_);
  bound_ = first.acceptor->local_endpoint();
  asio::co_spawn(first.ioc, accept_loop(*first.acceptor), asio::detached);
  for (auto& t : threads_) {
    // Keep idle I/O threads running until stop().
    t->work.emplace(t->ioc.get_executor());
    t->thread = std::thread([&ioc = t->ioc] { ioc.run(); });
  }
}

// Accepts on the first I/O thread and hands each connection to the next
// thread in turn: an even spread, where threads accepting on a shared socket
// left one thread with most connections.
awaitable<void> server::accept_loop(tcp::acceptor& acceptor) {
  auto ex = co_await asio::this_coro::executor;
  std::size_t next = 0;
  for (;;) {
    auto& target = threads_[next++ % threads_.size()]->ioc;
    auto [ec, socket] =
      co_await acceptor.async_accept(target, asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor.is_open())
      co_return;
    if (ec) { // e.g. EMFILE: wait for connections to close, then go on
      asio::steady_timer pause{ex, accept_error_pause};
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (connections_.load(std::memory_order_relaxed) >= ctx_.limits.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored); // over the limit: refuse rather than grow
      continue;
    }
    asio::ip::address peer;
    if (per_ip_) {
      boost::system::error_code peer_ec;
      peer = socket.remote_endpoint(peer_ec).address();
      if (peer_ec || !per_ip_->try_open(peer)) {
        boost::system::error_code ignored;
        socket.close(ignored); // one client may not take every connection
        continue;
      }
    }
    socket.set_option(tcp::no_delay(true));
    connections_.fetch_add(1, std::memory_order_relaxed);
    auto session_ex = socket.get_executor();
    asio::co_spawn(session_ex, run_session(std::move(socket), ctx_, routes_),
                   [this, peer](std::exception_ptr) {
                     if (per_ip_)
                       per_ip_->close(peer);
                     connections_.fetch_sub(1, std::memory_order_relaxed);
                   });
  }
}

void server::stop_accepting() {
  for (auto& t : threads_)
    if (t->acceptor)
      asio::post(t->ioc, [a = t->acceptor.get()] {
        boost::system::error_code ignored;
        a->close(ignored);
      });
}

void server::stop() {
  if (stopped_)
    return;
  stopped_ = true;
  for (auto& t : threads_) {
    t->work.reset();
    t->ioc.stop();
  }
  for (auto& t : threads_)
    if (t->thread.joinable())
      t->thread.join();
}

} // namespace taskmesh::http
