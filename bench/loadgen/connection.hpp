// File: bench/loadgen/connection.hpp
// One keep-alive HTTP/1.1 client connection: send a prepared request, read
// one response. It (re)connects lazily when it is not open, closes itself
// when the server says Connection: close or anything fails, and bounds each
// exchange by a timeout. It never throws: failures come back as a
// transport_error for the caller to count.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "bench/loadgen/run_stats.hpp"

namespace taskmesh::loadgen {

using endpoints = boost::asio::ip::tcp::resolver::results_type;

struct exchange_result {
  unsigned status = 0;                  // 0 when `error` is set
  std::optional<transport_error> error; // no HTTP response
  bool connected = false;               // this exchange opened a new connection
  std::size_t bytes_sent = 0;
  std::size_t bytes_received = 0;
  std::string body; // filled only when asked for
};

class connection {
public:
  connection(boost::asio::any_io_executor ex, const endpoints& eps,
             std::chrono::nanoseconds timeout);

  // Blocking connect before the run starts (so the first requests do not
  // pay for it); on failure the connection stays closed and the first
  // exchange retries.
  bool connect_now() noexcept;

  boost::asio::awaitable<exchange_result> exchange(std::string_view request, bool keep_body);

  bool is_open() const noexcept { return open_; }

private:
  void close() noexcept;

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  const endpoints& endpoints_;
  std::chrono::nanoseconds timeout_;
  bool open_ = false;
};

} // namespace taskmesh::loadgen
