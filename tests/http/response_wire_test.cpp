// File: tests/http/response_wire_test.cpp
// render() gives the same bytes as Beast's own serializer for the responses
// the handlers build (202 with a body, 503 closing with Retry-After, an
// HTTP/1.0 answer, an empty body), and refuses a chunked response.
#include <gtest/gtest.h>

#include <sstream>

#include "actors/model/api_error.hpp"
#include "transport/http/response_wire.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {
namespace {

std::string beast_bytes(const response& res) {
  std::ostringstream os;
  os << res;
  return os.str();
}

std::string rendered(const response& res) {
  std::string out = "left over from the last response";
  render(res, out);
  return out;
}

TEST(ResponseWire, SameBytesAsBeast) {
  request req{bhttp::verb::post, "/task", 11};
  const std::vector<response> cases{
    json_response(req, bhttp::status::accepted, R"({"id":"x","status":"queued"})"),
    error_response(11, false, api_error{503, "unavailable", "the queue is full", ""}),
    error_response(10, true, api_error{404, "not_found", "no such route", ""}),
    json_response(req, bhttp::status::ok, ""),
  };
  for (const auto& res : cases) {
    SCOPED_TRACE(beast_bytes(res));
    EXPECT_EQ(rendered(res), beast_bytes(res));
  }
}

TEST(ResponseWire, KeepsTheFramingHeaders) {
  request req{bhttp::verb::post, "/task", 11};
  const auto out = rendered(error_response(11, false, api_error{503, "unavailable", "x", ""}));
  EXPECT_TRUE(out.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << out;
  EXPECT_NE(out.find("\r\nRetry-After: 1\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\nConnection: close\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\nContent-Length: "), std::string::npos) << out;
}

TEST(ResponseWire, RefusesChunkedResponses) {
  response res{bhttp::status::ok, 11};
  res.chunked(true);
  std::string out;
  EXPECT_THROW(render(res, out), std::logic_error);
}

} // namespace
} // namespace taskmesh::http
