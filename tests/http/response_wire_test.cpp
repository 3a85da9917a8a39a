// File: tests/http/response_wire_test.cpp
// What render() writes, Beast's own response parser reads back as the same
// response: status, version, every field, framing and body, for the answers
// the handlers build (202 with a body, 503 closing with Retry-After, HTTP/1.0
// with and without keep-alive, an empty body). The head of a streamed
// response declares chunked framing; render() refuses a chunked response.
#include <gtest/gtest.h>

#include <boost/beast/core/flat_buffer.hpp>

#include "actors/model/api_error.hpp"
#include "transport/http/response_wire.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {
namespace {

using parsed = bhttp::response<bhttp::string_body>;

// Parses `bytes` as one whole response; fails the test when Beast cannot,
// or when bytes are left over.
parsed parse(std::string_view bytes, bool head_only = false) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.skip(head_only);
  parser.eager(true); // head and body in one put
  boost::system::error_code ec;
  const auto used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  EXPECT_FALSE(ec) << ec.message() << " in " << bytes;
  if (!head_only) {
    EXPECT_TRUE(parser.is_done()) << bytes;
    EXPECT_EQ(used, bytes.size()) << bytes;
  }
  return parser.release();
}

std::string rendered(const response& res) {
  std::string out = "left over from the last response";
  render(res, out);
  return out;
}

TEST(ResponseWire, BeastReadsBackWhatWasRendered) {
  request req{bhttp::verb::post, "/task", 11};
  auto accepted = json_response(req, bhttp::status::accepted, R"({"id":"x","status":"queued"})");
  accepted.set(bhttp::field::location, "/task/x");
  const std::vector<response> cases{
    accepted,
    error_response(11, false, api_error{503, "unavailable", "the queue is full", ""}),
    error_response(10, true, api_error{404, "not_found", "no such route", ""}),
    error_response(10, false, api_error{400, "bad_request", "x", ""}),
    json_response(req, bhttp::status::ok, ""),
  };
  for (const auto& res : cases) {
    const auto bytes = rendered(res);
    SCOPED_TRACE(bytes);
    const auto back = parse(bytes);
    EXPECT_EQ(back.result(), res.result());
    EXPECT_EQ(back.version(), res.version());
    EXPECT_EQ(back.keep_alive(), res.keep_alive());
    EXPECT_EQ(back.body(), res.body());
    EXPECT_EQ(back[bhttp::field::content_length], std::to_string(res.body().size()));
    EXPECT_EQ(back[bhttp::field::server], "taskmesh");
    for (const auto name : {bhttp::field::content_type, bhttp::field::location, bhttp::field::retry_after})
      EXPECT_EQ(back[name], res[name]) << bhttp::to_string(name);
  }
}

TEST(ResponseWire, KeepsTheFramingHeaders) {
  const auto out = rendered(error_response(11, false, api_error{503, "unavailable", "x", ""}));
  EXPECT_TRUE(out.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << out;
  EXPECT_NE(out.find("\r\nRetry-After: 1\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\nConnection: close\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\nContent-Length: "), std::string::npos) << out;
  const auto kept = rendered(error_response(11, true, api_error{503, "unavailable", "x", ""}));
  EXPECT_EQ(kept.find("Connection:"), std::string::npos) << "HTTP/1.1 keeps alive by default: " << kept;
}

TEST(ResponseWire, AStreamedHeadDeclaresChunks) {
  response res{bhttp::status::ok, 11};
  res.set(bhttp::field::content_type, "text/event-stream");
  res.chunked(true);
  std::string head;
  render_head(res, head);
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
  const auto back = parse(head, true);
  EXPECT_TRUE(back.chunked()) << head;
  EXPECT_EQ(back[bhttp::field::content_type], "text/event-stream");
  std::string stream = head;
  append_chunk("event: a\n\n", stream);
  append_chunk({}, stream);
  EXPECT_EQ(parse(stream).body(), "event: a\n\n");
}

TEST(ResponseWire, RefusesChunkedResponses) {
  response res{bhttp::status::ok, 11};
  res.chunked(true);
  std::string out;
  EXPECT_THROW(render(res, out), std::logic_error);
}

} // namespace
} // namespace taskmesh::http
