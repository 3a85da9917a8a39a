// File: transport/http/response.hpp
// A response as the server builds it: status, version, keep-alive, header
// fields and a body. The fields are kept in their wire form, one
// "Name: value\r\n" line each in a single string, and the framing fields
// (Content-Length, Transfer-Encoding, Connection) are not stored at all:
// response_wire.hpp writes them from the body and keep_alive(), so a
// response cannot carry a length that disagrees with its body.
//
// Why not Beast's message (requests are still Beast's): its fields are a
// list plus a case-insensitive tree of separately allocated elements, built
// field by field for every response, then walked again to render it.
// Building and rendering a 202 took ~2,100 instructions that way and ~1,200
// this way (bench/profile/run; "Fewer instructions and system calls per
// request" in docs/benchmarks.md).
#pragma once

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

#include <string>
#include <string_view>

namespace taskmesh::http {

class response {
public:
  using status = boost::beast::http::status;
  using field = boost::beast::http::field;

  // Every response names the server ("Server: taskmesh"). Keep-alive starts
  // on: it says whether the server lets the connection go on, and the
  // session ANDs it with the request's own wish (session.cpp), the one place
  // that reads the request's Connection field.
  response(status code, unsigned version);
  response() : response(status::ok, 11) {} // for Asio's co_spawn result

  status result() const noexcept { return status_; }
  unsigned result_int() const noexcept { return static_cast<unsigned>(status_); }
  unsigned version() const noexcept { return version_; }

  bool keep_alive() const noexcept { return keep_alive_; }
  void keep_alive(bool on) noexcept { keep_alive_ = on; }

  // A streamed body goes out as HTTP/1.1 chunks (session.cpp sets this).
  bool chunked() const noexcept { return chunked_; }
  void chunked(bool on) noexcept { chunked_ = on; }

  // Sets a field, replacing one of the same name (names compare without
  // case). Throws std::invalid_argument for a framing field or for a name
  // or value that would break the head (CR, LF, a colon in the name).
  void set(field name, std::string_view value);
  void set(std::string_view name, std::string_view value);

  // The field's value, or empty when the response has none.
  std::string_view operator[](field name) const noexcept;
  std::string_view operator[](std::string_view name) const noexcept;

  bool contains(field name) const noexcept;

  // The fields as they go on the wire: "Name: value\r\n" lines.
  std::string_view field_lines() const noexcept { return fields_; }

  std::string& body() noexcept { return body_; }
  const std::string& body() const noexcept { return body_; }

private:
  // Where the line of field `name` starts in fields_, or npos.
  std::size_t find_line(std::string_view name) const noexcept;
  // Sets a checked field, replacing one of the same name.
  void replace_line(std::string_view name, std::string_view value);

  status status_;
  unsigned version_;
  bool keep_alive_;
  bool chunked_ = false;
  std::string fields_;
  std::string body_;
};

} // namespace taskmesh::http
