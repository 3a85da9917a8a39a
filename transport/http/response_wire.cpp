// File: transport/http/response_wire.cpp
#include "transport/http/response_wire.hpp"

#include <charconv>
#include <stdexcept>

#include "actors/model/decimal.hpp"

namespace taskmesh::http {
namespace {

// The status line and the stored fields, without the blank line.
void append_start(const response& res, std::string& out) {
  out.append(res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_decimal(out, res.result_int());
  out.push_back(' ');
  const auto reason = bhttp::obsolete_reason(res.result());
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  out.append(res.field_lines());
}

// Connection as Beast writes it: only where it differs from the version's
// default.
void append_connection(const response& res, std::string& out) {
  if (res.version() >= 11 && !res.keep_alive())
    out.append("Connection: close\r\n");
  else if (res.version() < 11 && res.keep_alive())
    out.append("Connection: keep-alive\r\n");
}

} // namespace

void render(const response& res, std::string& out) {
  if (res.chunked())
    throw std::logic_error("http::render: chunked responses are not rendered flat");
  out.clear();
  out.reserve(160 + res.field_lines().size() + res.body().size());
  append_start(res, out);
  out.append("Content-Length: ");
  append_decimal(out, res.body().size());
  out.append("\r\n");
  append_connection(res, out);
  out.append("\r\n");
  out.append(res.body());
}

void render_head(const response& res, std::string& out) {
  out.clear();
  out.reserve(160 + res.field_lines().size());
  append_start(res, out);
  if (res.chunked())
    out.append("Transfer-Encoding: chunked\r\n");
  append_connection(res, out);
  out.append("\r\n");
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
