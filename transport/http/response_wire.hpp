// File: transport/http/response_wire.hpp
// A response as the bytes that go on the wire, in one flat buffer, so the
// session sends it with one plain asio::async_write. Beast's serializer walks
// a buffers_cat_view of header pieces and body on every write_some: measured
// with callgrind at ~29k instructions per small 202, about a fifth of an API
// pod's work per task. Parsing stays Beast's.
#pragma once

#include <string>

#include "transport/http/types.hpp"

namespace taskmesh::http {

// Clears `out` and renders the status line, every header field and the body.
// The response must carry its own framing (Content-Length from
// prepare_payload, or Connection: close): it is never chunked here.
void render(const response& res, std::string& out);

// The status line and header fields only, chunked framing allowed: the head
// of a streamed response (body_stream.hpp).
void render_head(const response& res, std::string& out);

// Appends `piece` as one HTTP/1.1 chunk; an empty piece is the last chunk.
void append_chunk(std::string_view piece, std::string& out);

} // namespace taskmesh::http
