// File: tests/support/sse_client.hpp
// A Server-Sent Events client for the tests: opens GET <target> (with any
// headers, e.g. Last-Event-ID) on its own connection, then hands out the
// events one by one as they arrive. Every read has a deadline and throws
// std::runtime_error when it passes, so no test hangs on a stream.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "tests/support/http_client.hpp"

namespace taskmesh::test_support {

struct sse_event {
  std::string event; // "status", "progress", "stats"
  std::string id;
  std::string data;
  boost::json::object json() const; // data parsed; throws quoting it otherwise
};

class sse_client {
public:
  // Connects, sends the request, reads the response head. A non-200 answer
  // is read whole (head().body). Throws on connect/read errors or timeout.
  sse_client(unsigned short port, std::string target, const header_list& headers = {},
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~sse_client();
  sse_client(sse_client&&) noexcept;

  const http_response& head() const;

  // The next event; nullopt once the server ended the stream cleanly (the
  // last chunk arrived). Throws when `timeout` passes first, or when the
  // connection breaks without a clean end.
  std::optional<sse_event> next(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Every event up to the clean end of the stream.
  std::vector<sse_event> rest(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Heartbeat comment lines seen so far.
  std::size_t heartbeats() const;
  bool ended() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace taskmesh::test_support
