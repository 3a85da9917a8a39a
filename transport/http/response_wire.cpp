// File: transport/http/response_wire.cpp
#include "transport/http/response_wire.hpp"

#include <charconv>
#include <stdexcept>

#include "actors/model/decimal.hpp"

namespace taskmesh::http {
namespace {

// The status line and the stored fields, into a cleared `out` with room for
// `body` more bytes after the head.
void start_head(const response& res, std::size_t body, std::string& out) {
  out.clear();
  out.reserve(160 + res.field_lines().size() + body);
  out.append(res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_decimal(out, res.result_int());
  out.push_back(' ');
  const auto reason = bhttp::obsolete_reason(res.result());
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  out.append(res.field_lines());
}

// Connection as Beast writes it (only where it differs from the version's
// default), then the blank line that ends the head.
void end_head(const response& res, std::string& out) {
  if (res.version() >= 11 && !res.keep_alive())
    out.append("Connection: close\r\n");
  else if (res.version() < 11 && res.keep_alive())
    out.append("Connection: keep-alive\r\n");
  out.append("\r\n");
}

} // namespace

void render(const response& res, std::string& out) {
  if (res.chunked())
    throw std::logic_error("http::render: chunked responses are not rendered flat");
  start_head(res, res.body().size(), out);
  out.append("Content-Length: ");
  append_decimal(out, res.body().size());
  out.append("\r\n");
  end_head(res, out);
  out.append(res.body());
}

void render_head(const response& res, std::string& out) {
  start_head(res, 0, out);
  if (res.chunked())
    out.append("Transfer-Encoding: chunked\r\n");
  end_head(res, out);
}

void append_chunk(std::string_view piece, std::string& out) {
  char size[16];
  const auto end = std::to_chars(size, size + sizeof size, piece.size(), 16).ptr;
  out.append(size, static_cast<std::size_t>(end - size));
  out.append("\r\n");
  out.append(piece);
  out.append("\r\n"); // after data, or the empty trailer of the last chunk
}

} // namespace taskmesh::http
