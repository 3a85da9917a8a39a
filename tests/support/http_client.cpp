// File: tests/support/http_client.cpp
// Beast's tcp_stream only enforces deadlines on asynchronous operations, so
// each "synchronous" call here starts one async operation with a deadline
// and runs a private io_context until it completes.
#include "tests/support/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace taskmesh::test_support {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Starts one async operation through `start(handler)` and runs the context
// until the handler has been called; returns the handler's error code and
// byte count. The stream's own deadline (expires_after) ends it on time.
template <class Start>
std::pair<beast::error_code, std::size_t> run_op(net::io_context& ioc, Start&& start) {
  beast::error_code result = net::error::would_block;
  std::size_t bytes = 0;
  start([&](beast::error_code ec, auto&&... rest) {
    result = ec;
    ((bytes = static_cast<std::size_t>(rest)), ...);
  });
  ioc.restart();
  ioc.run();
  return {result, bytes};
}

beast::error_code connect(net::io_context& ioc, beast::tcp_stream& stream, unsigned short port,
                          std::chrono::milliseconds timeout) {
  stream.expires_after(timeout);
  const tcp::endpoint ep(net::ip::address_v4::loopback(), port);
  return run_op(ioc, [&](auto handler) { stream.async_connect(ep, std::move(handler)); }).first;
}

// Errors that mean "the server had already closed this kept-alive
// connection", as opposed to a server that failed to answer.
bool is_stale_connection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted;
}

} // namespace

// --- http_response ------------------------------------------------------------

std::string http_response::header(std::string_view name) const {
  const auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

bool http_response::has_header(std::string_view name) const {
  return headers.contains(lower(name));
}

boost::json::value http_response::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec)
    throw std::runtime_error("response is not JSON (" + ec.message() + "): " + describe());
  return v;
}

std::string http_response::describe() const {
  std::string out = "HTTP " + std::to_string(status);
  for (const auto& [k, v] : headers)
    out += "\n  " + k + ": " + v;
  constexpr std::size_t max_body = 2000;
  out += "\n  body: " + (body.size() > max_body ? body.substr(0, max_body) + "..." : body);
  return out;
}

// --- http_client --------------------------------------------------------------

struct http_client::impl {
  unsigned short port;
  std::chrono::milliseconds timeout;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void drop() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
      stream.reset();
    }
    buffer.clear();
  }

  void open(const std::string& what) {
    drop();
    stream.emplace(ioc);
    if (const auto ec = connect(ioc, *stream, port, timeout)) {
      drop();
      throw std::runtime_error(what + ": connect to 127.0.0.1:" + std::to_string(port) +
                               " failed: " + ec.message());
    }
  }

  // One attempt on the current connection. Returns the response, or the
  // error plus whether any response byte had arrived.
  struct attempt {
    std::optional<http_response> response;
    beast::error_code ec;
    bool got_bytes = false;
  };

  attempt exchange(const http::request<http::string_body>& req) {
    attempt out;
    stream->expires_after(timeout);
    auto [wec, wbytes] =
      run_op(ioc, [&](auto handler) { http::async_write(*stream, req, std::move(handler)); });
    if (wec) {
      out.ec = wec;
      return out;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (req.method() == http::verb::head)
      parser.skip(true);
    stream->expires_after(timeout);
    const auto size_before = buffer.size();
    auto [rec, rbytes] = run_op(
      ioc, [&](auto handler) { http::async_read(*stream, buffer, parser, std::move(handler)); });
    if (rec) {
      out.ec = rec;
      out.got_bytes = rbytes > 0 || buffer.size() > size_before;
      return out;
    }
    auto res = parser.release();
    http_response r;
    r.status = res.result_int();
    for (const auto& field : res) {
      auto& slot = r.headers[lower(field.name_string())];
      slot = slot.empty() ? std::string(field.value()) : slot + ", " + std::string(field.value());
    }
    r.body = std::move(res.body());
    if (!res.keep_alive())
      drop();
    out.response = std::move(r);
    return out;
  }
};

http_client::http_client(unsigned short port, std::chrono::milliseconds timeout)
  : impl_(std::make_unique<impl>()) {
  impl_->port = port;
  impl_->timeout = timeout;
}

http_client::~http_client() {
  if (impl_)
    impl_->drop();
}

http_client::http_client(http_client&&) noexcept = default;
http_client& http_client::operator=(http_client&&) noexcept = default;

unsigned short http_client::port() const { return impl_->port; }

void http_client::close() { impl_->drop(); }

http_response http_client::post_json(std::string_view target, std::string_view body) {
  return request("POST", target, body, {{"Content-Type", "application/json"}});
}

http_response http_client::request(std::string_view method, std::string_view target,
                                   std::string_view body, const header_list& headers) {
  const std::string what = std::string(method) + " " + std::string(target);
  http::request<http::string_body> req;
  const auto verb = http::string_to_verb(method);
  if (verb == http::verb::unknown)
    req.method_string(method);
  else
    req.method(verb);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(impl_->port));
  for (const auto& [name, value] : headers)
    req.insert(name, value);
  req.body() = std::string(body);
  if (!body.empty() || verb == http::verb::post || verb == http::verb::put ||
      verb == http::verb::patch)
    req.prepare_payload();

  for (int round = 0; round < 2; ++round) {
    const bool reused = impl_->stream.has_value();
    if (!reused)
      impl_->open(what);
    auto a = impl_->exchange(req);
    if (a.response)
      return std::move(*a.response);
    impl_->drop();
    if (!(reused && !a.got_bytes && is_stale_connection(a.ec)))
      throw std::runtime_error(what + " on 127.0.0.1:" + std::to_string(impl_->port) +
                               " failed: " + a.ec.message() +
                               (a.ec == beast::error::timeout ? " (no response in time)" : ""));
  }
  throw std::runtime_error(what + ": connection closed twice before a response");
}

// --- raw_connection -----------------------------------------------------------

struct raw_connection::impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  bool closed = false;
};

raw_connection::raw_connection(unsigned short port, std::chrono::milliseconds timeout)
  : impl_(std::make_unique<impl>()) {
  if (const auto ec = connect(impl_->ioc, impl_->stream, port, timeout))
    throw std::runtime_error("raw connect to 127.0.0.1:" + std::to_string(port) +
                             " failed: " + ec.message());
}

raw_connection::~raw_connection() {
  beast::error_code ignored;
  impl_->stream.socket().close(ignored);
}

void raw_connection::send(std::string_view bytes, std::chrono::milliseconds timeout) {
  impl_->stream.expires_after(timeout);
  auto [ec, n] = run_op(impl_->ioc, [&](auto handler) {
    net::async_write(impl_->stream, net::buffer(bytes.data(), bytes.size()), std::move(handler));
  });
  if (ec)
    throw std::runtime_error("raw send of " + std::to_string(bytes.size()) +
                             " bytes failed: " + ec.message());
}

std::string raw_connection::read_until_close(std::chrono::milliseconds timeout) {
  // A timeout leaves the connection open: the server neither answered nor
  // closed; eof or a reset means the server hung up.
  return read_until_end(timeout, [](std::string_view) { return false; });
}

std::string raw_connection::read_until(std::string_view marker, std::chrono::milliseconds timeout) {
  auto out = read_until_end(timeout, [marker](std::string_view got) { return got.ends_with(marker); });
  impl_->stream.expires_never();
  return out;
}

std::string raw_connection::read_until_end(std::chrono::milliseconds timeout,
                                           const std::function<bool(std::string_view)>& enough) {
  std::string out;
  if (impl_->closed)
    return out;
  impl_->stream.expires_after(timeout);
  char chunk[4096];
  while (!enough(out)) {
    auto [ec, n] = run_op(impl_->ioc, [&](auto handler) {
      impl_->stream.async_read_some(net::buffer(chunk), std::move(handler));
    });
    out.append(chunk, n);
    if (ec == beast::error::timeout)
      break;
    if (ec) {
      impl_->closed = true;
      break;
    }
  }
  return out;
}

bool raw_connection::peer_closed() const { return impl_->closed; }

raw_exchange send_raw(unsigned short port, std::string_view bytes,
                      std::chrono::milliseconds timeout) {
  raw_connection conn(port, timeout);
  raw_exchange out;
  try {
    conn.send(bytes, timeout);
  } catch (const std::runtime_error&) {
    // The server may hang up mid-way through garbage; read what it said.
  }
  out.received = conn.read_until_close(timeout);
  out.peer_closed = conn.peer_closed();
  return out;
}

} // namespace taskmesh::test_support
