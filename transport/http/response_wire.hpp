// File: transport/http/response_wire.hpp
// A response as the bytes that go on the wire, in one flat buffer, so the
// session sends it with one plain asio::async_write. (Beast's serializer,
// used before, walked a buffers_cat_view of header pieces and body on every
// write_some: callgrind measured ~29k instructions per small 202, about a
// fifth of an API pod's work per task.) Parsing stays Beast's.
#pragma once

#include <string>

#include "transport/http/types.hpp"

namespace taskmesh::http {

// Clears `out` and renders the status line, every header field, the framing
// (Content-Length of the body; Connection where keep-alive differs from the
// version's default) and the body. A chunked response is refused
// (std::logic_error): it has no body to render whole.
void render(const response& res, std::string& out);

// The head of a streamed response (body_stream.hpp): status line, fields,
// Transfer-Encoding: chunked when chunked(), else no length (the body then
// ends with the connection).
void render_head(const response& res, std::string& out);

// Appends `piece` as one HTTP/1.1 chunk; an empty piece is the last chunk.
void append_chunk(std::string_view piece, std::string& out);

} // namespace taskmesh::http
