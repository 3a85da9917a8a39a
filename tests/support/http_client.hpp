// File: tests/support/http_client.hpp
// The integration tests' view of the server's socket: a small synchronous
// HTTP/1.1 client over one keep-alive connection, and a raw connection for
// bytes that are not (valid) HTTP. Every operation has a deadline and throws
// std::runtime_error when it passes, so no test can hang on the server.
// Beast stays inside the .cpp (pimpl) to keep test files quick to compile.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace taskmesh::test_support {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
  unsigned status = 0;
  std::map<std::string, std::string> headers; // names lower-cased
  std::string body;

  // Header value by case-insensitive name; "" when absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;

  // The body parsed as JSON; throws std::runtime_error naming the status
  // and quoting the body when it is not JSON.
  boost::json::value json() const;

  // "HTTP 400, body: {...}": for the `<<` of a failed assertion.
  std::string describe() const;
};

class http_client {
public:
  explicit http_client(unsigned short port,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~http_client();
  http_client(http_client&&) noexcept;
  http_client& operator=(http_client&&) noexcept;

  // Sends exactly `headers` (plus Host, and Content-Length when there is a
  // body or the method is POST/PUT/PATCH) and reads one response. Reuses the
  // connection while the server keeps it open; when a reused connection
  // turns out to be closed before any response byte arrived, reconnects and
  // sends once more. Throws on timeout or any other transport error.
  http_response request(std::string_view method, std::string_view target,
                        std::string_view body = {}, const header_list& headers = {});

  http_response get(std::string_view target) { return request("GET", target); }

  // POST with Content-Type: application/json.
  http_response post_json(std::string_view target, std::string_view body);

  // Drops the connection; the next request opens a new one.
  void close();

  unsigned short port() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// A bare TCP connection for malformed and slow requests.
class raw_connection {
public:
  // Connects to 127.0.0.1:port; throws when that takes longer than `timeout`.
  explicit raw_connection(unsigned short port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~raw_connection();

  // Writes all of `bytes`; throws on error or timeout.
  void send(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Reads until the peer closes the connection or `timeout` passes, and
  // returns what arrived. peer_closed() tells which of the two ended it.
  // A timeout closes our end too (Beast's deadline semantics), so this is
  // the last operation on a connection.
  std::string read_until_close(std::chrono::milliseconds timeout);
  bool peer_closed() const;

  // Reads until what arrived ends with `marker`, the peer closes, or
  // `timeout` passes, and returns what arrived (one read may bring more than
  // the marker; nothing is kept back for the next call). For a reply that
  // comes before the request is finished, such as "100 Continue". A timeout
  // closes our end, as in read_until_close.
  std::string read_until(std::string_view marker, std::chrono::milliseconds timeout);

private:
  // Reads until enough(what arrived), the peer closes (peer_closed()), or
  // `timeout` passes.
  std::string read_until_end(std::chrono::milliseconds timeout,
                             const std::function<bool(std::string_view)>& enough);

  struct impl;
  std::unique_ptr<impl> impl_;
};

struct raw_exchange {
  std::string received;
  bool peer_closed = false;
};

// Sends `bytes` on a fresh connection, then reads until close or `timeout`.
// A reset by the peer counts as a close (what arrived before it is kept).
raw_exchange send_raw(unsigned short port, std::string_view bytes,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

} // namespace taskmesh::test_support
