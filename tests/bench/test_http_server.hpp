// File: tests/bench/test_http_server.hpp
// A minimal HTTP/1.1 server for the loadgen's socket tests: listens on
// 127.0.0.1 with an ephemeral port, runs one thread, answers each request
// with whatever the test's handler returns. A handler returning nullopt
// leaves the request unanswered (for timeout tests).
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace taskmesh::loadgen::testing {

using test_request = boost::beast::http::request<boost::beast::http::string_body>;

struct test_response {
  unsigned status = 200;
  std::string body;
  bool keep_alive = true;
};

class test_http_server {
public:
  using handler = std::function<std::optional<test_response>(const test_request&)>;

  explicit test_http_server(handler h);
  ~test_http_server();
  test_http_server(const test_http_server&) = delete;
  test_http_server& operator=(const test_http_server&) = delete;

  unsigned short port() const noexcept { return port_; }
  std::uint64_t requests() const noexcept { return requests_.load(); }
  std::uint64_t connections() const noexcept { return connections_.load(); }

private:
  boost::asio::io_context ioc_{1};
  boost::asio::ip::tcp::acceptor acceptor_;
  handler handler_;
  unsigned short port_ = 0;
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::thread thread_;
};

} // namespace taskmesh::loadgen::testing
