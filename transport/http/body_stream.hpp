// File: transport/http/body_stream.hpp
// A response body produced piece by piece while the connection stays open
// (Server-Sent Events). A streaming handler returns the response head and
// fills a body_stream; the session writes the head, then each piece as one
// HTTP chunk, until next() says the body is complete. The session only
// moves bytes: what to send and when lives in the stream.
#pragma once

#include <optional>
#include <string>

#include "transport/http/types.hpp"

namespace taskmesh::http {

class body_stream {
public:
  virtual ~body_stream() = default;
  // The next piece (waiting as long as it takes), or nullopt: body complete.
  // Runs on the session's executor.
  virtual awaitable<std::optional<std::string>> next() = 0;
};

} // namespace taskmesh::http
