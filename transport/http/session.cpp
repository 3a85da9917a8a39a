// File: transport/http/session.cpp
// A connection's whole life as one read-handle-write loop. This file moves
// bytes and enforces limits; handlers (via the router) hold the logic.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>

#include "transport/http/request_metrics.hpp"
#include "transport/http/response_wire.hpp"
#include "transport/http/responses.hpp"
#include "transport/http/server.hpp"
#include "transport/http/watched_socket.hpp"

namespace taskmesh::http {
namespace {

using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// An answer for a request that could not be read, or nullopt to just close.
std::optional<response> read_error_response(const boost::system::error_code& ec, const context& ctx) {
  if (ec == bhttp::error::body_limit)
    return error_response(11, false, {413, "payload_too_large",
                                      "request body exceeds the limit of " +
                                        std::to_string(ctx.limits.max_body) + " bytes", ""});
  if (ec == bhttp::error::header_limit)
    return error_response(11, false, {431, "headers_too_large",
                                      "request headers exceed " +
                                        std::to_string(ctx.limits.max_header) + " bytes", ""});
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
    return error_response(11, false, {400, "bad_request", "malformed HTTP request: " + ec.message(), ""});
  return std::nullopt; // timeout, reset, truncated: nobody to answer
}

// Feeds the parser what the buffer holds, until `done(parser)`, the parser
// needs bytes that are not there yet, or an error.
template <class Done>
boost::system::error_code put_buffered(bhttp::request_parser<bhttp::string_body>& parser,
                                       beast::flat_buffer& buffer, Done done) {
  boost::system::error_code ec;
  while (!done(parser) && buffer.size() != 0) {
    const auto used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more)
      return {};
    if (ec || used == 0)
      return ec;
  }
  return ec;
}

// Reads from the socket into the parser until `done(parser)`: the head, or
// the whole request. This is beast::http::async_read_header/async_read's
// loop (impl/read.hpp: put the buffered bytes, read when the parser needs
// more, end of stream and put_eof as Beast maps them), written as plain
// steps of this coroutine: Beast wraps each socket read in two composed
// operations, each with its own handler, work tracking and (when no read
// was needed) a posted completion (bench/profile/run: see benchmarks.md).
// When the buffer already holds what is needed (a pipelined request) it
// returns without a system call or a suspension.
template <class Done>
awaitable<boost::system::error_code> read_into(tcp::socket& socket, beast::flat_buffer& buffer,
                                               bhttp::request_parser<bhttp::string_body>& parser,
                                               Done done) {
  for (;;) {
    if (auto ec = put_buffered(parser, buffer, done); ec || done(parser))
      co_return ec;
    const auto size = beast::read_size(buffer, 65536);
    if (size == 0)
      co_return bhttp::error::buffer_overflow;
    auto [read_ec, n] = co_await socket.async_read_some(buffer.prepare(size), use_tuple);
    buffer.commit(n);
    if (read_ec == asio::error::eof) {
      if (!parser.got_some())
        co_return bhttp::error::end_of_stream;
      boost::system::error_code ec;
      parser.put_eof(ec); // a body that ends with the connection, or partial_message
      co_return ec;
    }
    if (read_ec)
      co_return read_ec;
  }
}

constexpr auto head_done = [](const auto& parser) { return parser.is_header_done(); };
constexpr auto request_done = [](const auto& parser) { return parser.is_done(); };

bool expects_continue(const request& req) {
  return beast::iequals(req[bhttp::field::expect], "100-continue");
}

// An event stream may leave at most this much unsent in the kernel (the
// socket's send buffer is set to it), and a piece bigger than this (a large
// result) goes out in slices of this size.
constexpr std::size_t stream_slice = 64 * 1024;

// Writes `bytes` a slice at a time; the client must make room for each slice
// within the stream's write deadline. False: it did not (or the connection
// broke), and the stream is dropped.
awaitable<bool> write_slices(watched_socket& conn, std::string_view bytes,
                             std::chrono::milliseconds deadline) {
  while (!bytes.empty()) {
    const auto n = std::min(bytes.size(), stream_slice);
    conn.expires_after(deadline);
    auto [ec, written] = co_await asio::async_write(conn.socket(), asio::buffer(bytes.data(), n), use_tuple);
    if (ec)
      co_return false;
    bytes.remove_prefix(n);
  }
  conn.expires_never(); // waiting for the next event is not the client's fault
  co_return true;
}

// A streamed response: the head, then each piece the body yields as an HTTP
// chunk (HTTP/1.0: raw bytes, then close). A client that stops reading is
// dropped once it has not taken a slice for ctx.stream_write_timeout (a few
// seconds, not the write timeout of ordinary responses): the small send
// buffer fills fast, and nobody else waits for it meanwhile. True when the
// connection may carry another request.
awaitable<bool> write_streamed(watched_socket& conn, response& res, body_stream& body,
                               const context& ctx, std::string& out) {
  boost::system::error_code ignored;
  conn.socket().set_option(asio::socket_base::send_buffer_size(static_cast<int>(stream_slice)),
                             ignored);
  const auto deadline = std::min(ctx.stream_write_timeout, ctx.limits.write_timeout);
  const bool chunked = res.version() == 11;
  if (chunked)
    res.chunked(true);
  else
    res.keep_alive(false);
  render_head(res, out);
  for (;;) {
    if (!co_await write_slices(conn, out, deadline))
      co_return false;
    auto piece = co_await body.next();
    out.clear();
    if (!piece) {
      if (!chunked)
        co_return false;
      append_chunk({}, out);
      co_return co_await write_slices(conn, out, deadline) && res.keep_alive();
    }
    if (chunked)
      append_chunk(*piece, out);
    else
      out = std::move(*piece);
  }
}

// Writes a whole response. Most responses fit the socket's send buffer, so
// the first attempt is a plain non-blocking send: no deadline armed, no
// suspension. Only what the kernel did not take waits, under the write
// deadline. (Per POST /task this saves a timer armed and cancelled and a
// trip through the I/O scheduler; bench/profile/run.)
awaitable<bool> write_response(watched_socket& conn, std::string_view bytes,
                               std::chrono::milliseconds deadline) {
  boost::system::error_code ec;
  const auto sent = conn.socket().write_some(asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again)
    co_return false;
  bytes.remove_prefix(ec ? 0 : sent);
  if (bytes.empty())
    co_return true;
  conn.expires_after(deadline); // the session sets the next one before it waits again
  auto [wec, written] = co_await asio::async_write(conn.socket(), asio::buffer(bytes.data(), bytes.size()), use_tuple);
  co_return !wec;
}

// Closes the connection however the session ends (an exception included:
// the watchdog's pending wait would otherwise keep the socket open).
struct closes_on_exit {
  watched_socket& conn;
  ~closes_on_exit() { conn.close(); }
};

} // namespace

awaitable<void> run_session(tcp::socket socket, context& ctx, const router& routes) {
  boost::system::error_code peer_ec;
  const auto client = socket.remote_endpoint(peer_ec).address(); // rate-limit key without tokens
  const auto conn_ptr = watched_socket::make(std::move(socket));
  auto& conn = *conn_ptr;
  closes_on_exit closer{conn};
  boost::system::error_code nb_ec;
  conn.socket().non_blocking(true, nb_ec); // write_response's first try must not block
  beast::flat_buffer buffer;
  std::string out; // the response's bytes (response_wire.hpp); capacity kept across requests
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(ctx.limits.max_header));
    parser.body_limit(ctx.limits.max_body);
    // Two deadlines from the moment we start waiting (idle keep-alive time
    // included): the head must arrive within header_timeout, the whole
    // request within read_timeout. A client that trickles its head a byte at
    // a time is dropped early; one sending a large body gets the longer one.
    const auto now = std::chrono::steady_clock::now();
    const auto request_deadline = now + ctx.limits.read_timeout;
    conn.expires_at(now + std::min(ctx.limits.header_timeout, ctx.limits.read_timeout));

    auto ec = co_await read_into(conn.socket(), buffer, parser, head_done);
    // The body bytes that came with the head, without a read: whether the
    // rest is still to come decides whether a client that sent `Expect:
    // 100-continue` waits for our 100 (RFC 9110 lets us skip it when the
    // body came along).
    if (!ec)
      ec = put_buffered(parser, buffer, request_done);
    if (!ec && !parser.is_done()) {
      conn.expires_at(request_deadline);
      if (expects_continue(parser.get())) {
        static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
        ec = std::get<0>(co_await asio::async_write(conn.socket(), asio::buffer(continue_line), use_tuple));
      }
      if (!ec)
        ec = co_await read_into(conn.socket(), buffer, parser, request_done);
    }
    if (ec) {
      if (auto res = read_error_response(ec, ctx)) {
        // Refused before routing: counted under a route label of its own.
        if (ctx.http_metrics)
          ctx.http_metrics->observe("unparsed", res->result_int(), std::chrono::nanoseconds{0});
        render(*res, out);
        co_await write_response(conn, out, ctx.limits.write_timeout);
      }
      break;
    }

    const request& req = parser.get();
    conn.expires_never(); // a handler may wait on the pipeline; not the client's fault
    std::unique_ptr<body_stream> body;
    response res = co_await routes.handle(req, ctx, client, &body);
    res.keep_alive(req.keep_alive() && res.keep_alive()); // the one place (response.hpp)
    if (body) {
      if (!co_await write_streamed(conn, res, *body, ctx, out))
        break;
      continue;
    }
    render(res, out);
    if (!co_await write_response(conn, out, ctx.limits.write_timeout) || !res.keep_alive())
      break;
    // Let the other connections' ready work run before reading again. Asio
    // starts every read with a speculative recv(); straight after our answer
    // the client has not had time to send its next request, so that recv()
    // fails with EAGAIN and the read waits for epoll anyway: one wasted
    // system call per request (measured: 2.0 recv per request, 1.3 with the
    // yield; "Reading after a yield" in docs/benchmarks.md). Bytes already
    // buffered (a pipelined request) need no recv, so no yield either.
    if (buffer.size() == 0)
      co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  }
}

} // namespace taskmesh::http
