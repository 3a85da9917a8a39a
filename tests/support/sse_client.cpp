// File: tests/support/sse_client.cpp
// Beast's parser with a buffer_body reads the chunked body piece by piece
// (Beast's "relay" pattern); each piece is appended to a text buffer that is
// cut into events at blank lines.
#include "tests/support/sse_client.hpp"

#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

namespace taskmesh::test_support {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

boost::json::object sse_event::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(data, ec);
  if (ec || !v.is_object())
    throw std::runtime_error("event '" + event + "' data is not a JSON object: " + data);
  return v.get_object();
}

struct sse_client::impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  http_response head;
  std::string text; // received, not yet cut into events
  std::size_t heartbeats = 0;
  bool ended = false;

  template <class Start>
  beast::error_code run(std::chrono::milliseconds timeout, Start&& start) {
    stream.expires_after(timeout);
    beast::error_code result = net::error::would_block;
    start([&](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  // Cuts one complete event (or comment) off `text`; false if none is complete.
  bool cut(std::optional<sse_event>& out) {
    for (;;) {
      const auto end = text.find("\n\n");
      if (end == std::string::npos)
        return false;
      const std::string block = text.substr(0, end);
      text.erase(0, end + 2);
      sse_event e;
      bool any = false;
      std::size_t pos = 0;
      while (pos <= block.size()) {
        auto nl = block.find('\n', pos);
        if (nl == std::string::npos)
          nl = block.size();
        const auto line = block.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty())
          continue;
        if (line.front() == ':') {
          ++heartbeats;
          continue;
        }
        const auto colon = line.find(':');
        const auto field = line.substr(0, colon);
        auto value = colon == std::string::npos ? std::string{} : line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ')
          value.erase(0, 1);
        any = true;
        if (field == "event")
          e.event = value;
        else if (field == "id")
          e.id = value;
        else if (field == "data")
          e.data += value;
      }
      if (any) {
        out = std::move(e);
        return true;
      }
    }
  }
};

sse_client::sse_client(unsigned short port, std::string target, const header_list& headers,
                       std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
  auto& d = *impl_;
  const tcp::endpoint ep(net::ip::address_v4::loopback(), port);
  if (auto ec = d.run(timeout, [&](auto h) { d.stream.async_connect(ep, std::move(h)); }))
    throw std::runtime_error("sse connect: " + ec.message());
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::accept, "text/event-stream");
  for (const auto& [name, value] : headers)
    req.set(name, value);
  if (auto ec = d.run(timeout, [&](auto h) { http::async_write(d.stream, req, std::move(h)); }))
    throw std::runtime_error("sse write " + target + ": " + ec.message());
  d.parser.body_limit(boost::none);
  if (auto ec = d.run(timeout, [&](auto h) {
        http::async_read_header(d.stream, d.buffer, d.parser, std::move(h));
      }))
    throw std::runtime_error("sse head " + target + ": " + ec.message());
  const auto& msg = d.parser.get();
  d.head.status = msg.result_int();
  for (const auto& f : msg)
    d.head.headers[std::string(beast::string_view(f.name_string()))] = std::string(f.value());
  for (auto& [name, value] : std::map<std::string, std::string>(d.head.headers)) {
    std::string lower = name;
    for (auto& c : lower)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    d.head.headers.erase(name);
    d.head.headers[lower] = value;
  }
  if (d.head.status != 200) {
    // An error answer: read its (small) body whole.
    while (!d.parser.is_done()) {
      char piece[4096];
      d.parser.get().body().data = piece;
      d.parser.get().body().size = sizeof piece;
      auto ec = d.run(timeout, [&](auto h) {
        http::async_read(d.stream, d.buffer, d.parser, std::move(h));
      });
      if (ec && ec != http::error::need_buffer)
        throw std::runtime_error("sse error body: " + ec.message());
      d.head.body.append(piece, sizeof piece - d.parser.get().body().size);
    }
    d.ended = true;
  }
}

sse_client::~sse_client() = default;
sse_client::sse_client(sse_client&&) noexcept = default;

const http_response& sse_client::head() const { return impl_->head; }
std::size_t sse_client::heartbeats() const { return impl_->heartbeats; }
bool sse_client::ended() const { return impl_->ended; }

std::optional<sse_event> sse_client::next(std::chrono::milliseconds timeout) {
  auto& d = *impl_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::optional<sse_event> e;
    if (d.cut(e))
      return e;
    if (d.ended)
      return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw std::runtime_error("sse: no event within the deadline; pending text: " + d.text);
    char piece[8192];
    d.parser.get().body().data = piece;
    d.parser.get().body().size = sizeof piece;
    auto ec = d.run(left, [&](auto h) {
      http::async_read_some(d.stream, d.buffer, d.parser, std::move(h));
    });
    d.text.append(piece, sizeof piece - d.parser.get().body().size);
    if (ec == beast::error::timeout)
      throw std::runtime_error("sse: no event within the deadline; pending text: " + d.text);
    if (ec && ec != http::error::need_buffer)
      throw std::runtime_error("sse: stream broke without a clean end: " + ec.message());
    if (d.parser.is_done())
      d.ended = true;
  }
}

std::vector<sse_event> sse_client::rest(std::chrono::milliseconds timeout) {
  std::vector<sse_event> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (auto e = next(std::chrono::duration_cast<std::chrono::milliseconds>(
           deadline - std::chrono::steady_clock::now())))
    out.push_back(std::move(*e));
  return out;
}

} // namespace taskmesh::test_support
