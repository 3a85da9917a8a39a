// File: tests/bench/test_http_server.cpp
#include "tests/bench/test_http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace taskmesh::loadgen::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> session(tcp::socket socket, const test_http_server::handler& handle,
                              std::atomic<std::uint64_t>& requests) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    test_request req;
    auto [rec, n] = co_await http::async_read(socket, buffer, req, use_tuple);
    if (rec) co_return;
    ++requests;
    const auto answer = handle(req);
    if (!answer) {
      // Hold the request unanswered until the client gives up and closes.
      char byte;
      co_await socket.async_read_some(asio::buffer(&byte, 1), use_tuple);
      co_return;
    }
    http::response<http::string_body> res{static_cast<http::status>(answer->status), 11};
    res.set(http::field::content_type, "application/json");
    res.body() = answer->body;
    res.keep_alive(answer->keep_alive && req.keep_alive());
    res.prepare_payload();
    auto [wec, m] = co_await http::async_write(socket, res, use_tuple);
    if (wec || !res.keep_alive()) co_return;
  }
}

} // namespace

test_http_server::test_http_server(handler h)
    : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      handler_(std::move(h)) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(
      ioc_,
      [this]() -> asio::awaitable<void> {
        for (;;) {
          auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
          if (ec) co_return;
          ++connections_;
          asio::co_spawn(ioc_, session(std::move(socket), handler_, requests_), asio::detached);
        }
      },
      asio::detached);
  thread_ = std::thread([this] { ioc_.run(); });
}

test_http_server::~test_http_server() {
  ioc_.stop();
  thread_.join();
}

} // namespace taskmesh::loadgen::testing
