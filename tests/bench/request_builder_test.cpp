// File: tests/bench/request_builder_test.cpp
// Bodies have the asked-for size and are valid JSON of the shape taskmesh
// accepts; the serialized request is what an HTTP parser reads back.
#include "bench/loadgen/request_builder.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace taskmesh::loadgen {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

TEST(RequestBuilder, LoremHasExactLengthAndNoTrailingSpace) {
  for (std::size_t n : {0, 1, 5, 6, 100, 1000, 100'000}) {
    const auto text = lorem(n);
    EXPECT_EQ(text.size(), n);
    if (n) {
      EXPECT_NE(text.back(), ' ');
    }
    EXPECT_EQ(text.find_first_not_of("abcdefghijklmnopqrstuvwxyz "), std::string::npos);
  }
  EXPECT_EQ(lorem(11), "lorem ipsum");
}

TEST(RequestBuilder, TaskBodyHasRequestedSizeAndParses) {
  for (std::size_t n : {40, 64, 100, 1000, 65'536}) {
    const auto body = task_body("wordcount", n);
    EXPECT_EQ(body.size(), n);
    const auto v = json::parse(body);
    ASSERT_TRUE(v.is_object());
    EXPECT_EQ(v.at("type").as_string(), "wordcount");
    EXPECT_TRUE(v.at("payload").as_string().starts_with("lorem i"));
    EXPECT_EQ(v.as_object().size(), 2u);
  }
}

TEST(RequestBuilder, TinySizeGivesSmallestValidBody) {
  const auto body = task_body("wordcount", 1);
  EXPECT_EQ(body, R"({"type":"wordcount","payload":"l"})");
  EXPECT_NO_THROW(json::parse(body));
}

TEST(RequestBuilder, OpNameIsEscaped) {
  const auto body = task_body("we\"ird\\op", 200);
  EXPECT_EQ(body.size(), 200u);
  EXPECT_EQ(json::parse(body).at("type").as_string(), "we\"ird\\op");
}

TEST(RequestBuilder, BatchBodyIsArrayOfTaskObjects) {
  const auto body = batch_body("upper", 80, 25);
  EXPECT_EQ(body.size(), 2 + 25 * 80 + 24);
  const auto v = json::parse(body);
  ASSERT_TRUE(v.is_array());
  ASSERT_EQ(v.as_array().size(), 25u);
  for (const auto& t : v.as_array()) {
    EXPECT_EQ(t.at("type").as_string(), "upper");
    EXPECT_EQ(json::serialize(t).size(), 80u);
  }
}

TEST(RequestBuilder, ShapeFollowsTargetAndOverrides) {
  load_config cfg;
  cfg.target = target_kind::task;
  auto s = shape_for(cfg);
  EXPECT_EQ(s.method, "POST");
  EXPECT_EQ(s.path, "/task");
  EXPECT_EQ(s.body.size(), 100u);
  EXPECT_EQ(s.tasks_per_request, 1u);

  cfg.target = target_kind::tasks;
  cfg.batch = 7;
  s = shape_for(cfg);
  EXPECT_EQ(s.path, "/tasks");
  EXPECT_EQ(s.tasks_per_request, 7u);
  EXPECT_EQ(json::parse(s.body).as_array().size(), 7u);

  cfg.target = target_kind::raw;
  s = shape_for(cfg);
  EXPECT_EQ(s.method, "GET");
  EXPECT_EQ(s.path, "/");
  EXPECT_TRUE(s.body.empty());
  EXPECT_EQ(s.tasks_per_request, 0u);

  cfg.target = target_kind::task;
  cfg.method = "PUT";
  cfg.path = "/nginx/task";
  s = shape_for(cfg);
  EXPECT_EQ(s.method, "PUT");
  EXPECT_EQ(s.path, "/nginx/task");
  EXPECT_EQ(s.body.size(), 100u);
}

TEST(RequestBuilder, SerializedRequestParsesBack) {
  const auto body = task_body("wordcount", 120);
  const auto bytes = serialize_request("POST", "/task", host_header("127.0.0.1", "8080"), body);
  http::request_parser<http::string_body> parser;
  boost::system::error_code ec;
  std::size_t used = 0;
  // put() stops after the header, so feed until the message is complete.
  while (!ec && !parser.is_done() && used < bytes.size())
    used += parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(parser.is_done());
  EXPECT_EQ(used, bytes.size());
  const auto& req = parser.get();
  EXPECT_EQ(req.method(), http::verb::post);
  EXPECT_EQ(req.target(), "/task");
  EXPECT_EQ(req[http::field::host], "127.0.0.1:8080");
  EXPECT_EQ(req[http::field::content_type], "application/json");
  EXPECT_TRUE(req.keep_alive());
  EXPECT_EQ(req.body(), body);
}

TEST(RequestBuilder, GetHasNoBodyHeaders) {
  const auto bytes = serialize_request("GET", "/stats", "localhost:80", "");
  EXPECT_EQ(bytes,
            "GET /stats HTTP/1.1\r\nHost: localhost:80\r\nUser-Agent: taskmesh-loadgen\r\n\r\n");
}

TEST(RequestBuilder, ParamsGoInEveryTaskAndKeepTheSize) {
  const auto body = task_body("echo", 120, R"({"delay_ms":100})");
  EXPECT_EQ(body.size(), 120u);
  const auto v = boost::json::parse(body).as_object();
  EXPECT_EQ(v.at("params").as_object().at("delay_ms").as_int64(), 100);
  const auto batch = boost::json::parse(batch_body("echo", 80, 3, R"({"delay_ms":5})")).as_array();
  ASSERT_EQ(batch.size(), 3u);
  for (const auto& t : batch)
    EXPECT_EQ(t.as_object().at("params").as_object().at("delay_ms").as_int64(), 5);
}

TEST(RequestBuilder, ExtraHeadersFollowUserAgent) {
  const auto bytes = serialize_request("GET", "/stats", "localhost:80", "",
                                       {"Authorization: Bearer abc", "X-Test: 1"});
  EXPECT_EQ(bytes, "GET /stats HTTP/1.1\r\nHost: localhost:80\r\nUser-Agent: taskmesh-loadgen\r\n"
                   "Authorization: Bearer abc\r\nX-Test: 1\r\n\r\n");
}

TEST(RequestBuilder, HostHeaderBracketsIpv6) {
  EXPECT_EQ(host_header("::1", "8080"), "[::1]:8080");
  EXPECT_EQ(host_header("127.0.0.1", "80"), "127.0.0.1:80");
}

} // namespace
} // namespace taskmesh::loadgen
