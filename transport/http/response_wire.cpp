// File: transport/http/response_wire.cpp
#include "transport/http/response_wire.hpp"

#include <charconv>
#include <stdexcept>

#include "actors/model/decimal.hpp"

namespace taskmesh::http {

void render(const response& res, std::string& out) {
  if (res.chunked())
    throw std::logic_error("http::render: chunked responses are not rendered flat");
  render_head(res, out);
  out.append(res.body());
}

void render_head(const response& res, std::string& out) {
  out.clear();
  out.reserve(128 + res.body().size());
  out.append(res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_decimal(out, res.result_int());
  out.push_back(' ');
  out.append(res.reason());
  out.append("\r\n");
  for (const auto& field : res.base()) {
    out.append(field.name_string());
    out.append(": ");
    out.append(field.value());
    out.append("\r\n");
  }
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
