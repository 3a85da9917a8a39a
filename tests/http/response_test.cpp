// File: tests/http/response_test.cpp
// The response's fields: set replaces a field of the same name whatever its
// case, lookups ignore case, and nothing can be set that would break the head
// or contradict the framing the renderer writes.
#include <gtest/gtest.h>

#include "transport/http/response.hpp"

namespace taskmesh::http {
namespace {

using field = response::field;

// Keep-alive starts on in both versions: the session ANDs it with the
// request's wish (framing_test.cpp checks what goes on the wire).
TEST(Response, StartsWithTheServerAndKeepAliveOn) {
  const response modern{response::status::accepted, 11};
  EXPECT_EQ(modern[field::server], "taskmesh");
  EXPECT_TRUE(modern.keep_alive());
  EXPECT_EQ(modern.result_int(), 202u);
  EXPECT_TRUE(response(response::status::ok, 10).keep_alive());
}

TEST(Response, SetReplacesAFieldOfTheSameNameInAnyCase) {
  response res{response::status::ok, 11};
  res.set(field::content_type, "text/plain");
  res.set("x-custom", "1");
  res.set("CONTENT-TYPE", "application/json");
  res.set("X-Custom", "2");
  EXPECT_EQ(res[field::content_type], "application/json");
  EXPECT_EQ(res["x-CUSTOM"], "2");
  EXPECT_EQ(res.field_lines(), "Server: taskmesh\r\nCONTENT-TYPE: application/json\r\nX-Custom: 2\r\n");
}

TEST(Response, AMissingFieldIsEmptyAndNotContained) {
  response res{response::status::ok, 11};
  res.set(field::location, "");
  EXPECT_TRUE(res.contains(field::location));
  EXPECT_FALSE(res.contains(field::retry_after));
  EXPECT_EQ(res[field::retry_after], "");
  EXPECT_EQ(res["Serv"], "") << "a prefix of a name is not the name";
}

TEST(Response, RefusesWhatWouldBreakTheHead) {
  response res{response::status::ok, 11};
  EXPECT_THROW(res.set("X-A", "one\r\nX-Injected: yes"), std::invalid_argument);
  EXPECT_THROW(res.set("X-A\r\nX-B", "v"), std::invalid_argument);
  EXPECT_THROW(res.set("X:A", "v"), std::invalid_argument);
  EXPECT_THROW(res.set("", "v"), std::invalid_argument);
  EXPECT_THROW(res.set(field::location, "/x\r\nX-Injected: yes"), std::invalid_argument);
  EXPECT_EQ(res.field_lines(), "Server: taskmesh\r\n") << "a refused set changes nothing";
}

TEST(Response, FramingIsRenderedNotSet) {
  response res{response::status::ok, 11};
  EXPECT_THROW(res.set(field::content_length, "5"), std::invalid_argument);
  EXPECT_THROW(res.set("transfer-encoding", "chunked"), std::invalid_argument);
  EXPECT_THROW(res.set(field::connection, "close"), std::invalid_argument);
  EXPECT_THROW(res.set(field::transfer_encoding, "chunked"), std::invalid_argument);
  EXPECT_THROW(res.set("Content-Length", "5"), std::invalid_argument);
  EXPECT_EQ(res.field_lines(), "Server: taskmesh\r\n");
}

} // namespace
} // namespace taskmesh::http
