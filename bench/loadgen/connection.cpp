// File: bench/loadgen/connection.cpp
#include "bench/loadgen/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace taskmesh::loadgen {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t body_limit = 64u << 20; // a /stats or batch reply, never a stream
} // namespace

connection::connection(asio::any_io_executor ex, const endpoints& eps,
                       std::chrono::nanoseconds timeout)
    : stream_(std::move(ex)), endpoints_(eps), timeout_(timeout) {}

bool connection::connect_now() noexcept {
  boost::system::error_code ec;
  asio::connect(stream_.socket(), endpoints_, ec);
  if (ec) {
    close();
    return false;
  }
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  open_ = true;
  return true;
}

void connection::close() noexcept {
  boost::system::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  buffer_.clear();
  open_ = false;
}

asio::awaitable<exchange_result> connection::exchange(std::string_view request, bool keep_body) {
  exchange_result out;
  if (!open_) {
    stream_.expires_after(timeout_);
    auto [ec, ep] = co_await stream_.async_connect(endpoints_, use_tuple);
    if (ec) {
      close();
      out.error =
          ec == boost::beast::error::timeout ? transport_error::timeout : transport_error::connect;
      co_return out;
    }
    boost::system::error_code ignored;
    stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    open_ = true;
    out.connected = true;
  }

  // One deadline covers the write and the read: it bounds the whole exchange.
  stream_.expires_after(timeout_);
  auto [wec, sent] = co_await asio::async_write(stream_, asio::buffer(request), use_tuple);
  out.bytes_sent = sent;
  if (wec) {
    close();
    out.error = classify(wec, true);
    co_return out;
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(body_limit);
  auto [rec, received] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
  out.bytes_received = received;
  if (rec) {
    close();
    out.error = classify(rec, false);
    co_return out;
  }
  stream_.expires_never();
  auto& res = parser.get();
  out.status = res.result_int();
  if (keep_body) out.body = std::move(res.body());
  if (!res.keep_alive()) close();
  co_return out;
}

} // namespace taskmesh::loadgen
