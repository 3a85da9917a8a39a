// File: tests/integration/framing_test.cpp
// How requests are cut out of the byte stream: a body that came with its
// head, a chunked body that comes in pieces, several requests in one
// segment, Expect: 100-continue, and the limits of head and body. The session reads into Beast's parser
// with its own loop and parses a body that arrived with the head without
// another read (transport/http/session.cpp), so these pin what that must
// keep doing.
// The suite runs with --max-body 1KiB so the size limit is cheap to hit.
#include <sstream>

#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

using namespace std::chrono_literals;
using test_support::raw_connection;

class Framing : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({"--workers", "2", "--max-body", "1KiB"}); }
};

std::string post_task_bytes(std::string_view body, std::string_view extra_headers = "") {
  std::string out = "POST /task HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
  out.append(extra_headers);
  out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
  out.append(body);
  return out;
}

// The status codes of the responses in `bytes`, in order (the bodies here
// never hold the text "HTTP/1.1 ").
std::vector<int> statuses(std::string_view bytes) {
  constexpr std::string_view status_line = "HTTP/1.1 ";
  std::vector<int> out;
  for (auto at = bytes.find(status_line); at != std::string_view::npos;
       at = bytes.find(status_line, at + 1))
    out.push_back(std::stoi(std::string{bytes.substr(at + status_line.size(), 3)}));
  return out;
}

TEST_F(Framing, PipelinedRequestsInOneSegmentAreAnsweredInOrder) {
  raw_connection conn(server().port());
  conn.send(post_task_bytes(R"({"payload":"first"})") + post_task_bytes("not json") +
            post_task_bytes(R"({"payload":"third"})") +
            "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto got = conn.read_until_close(5s);
  EXPECT_TRUE(conn.peer_closed()) << ::testing::PrintToString(got);
  EXPECT_EQ(statuses(got), (std::vector<int>{202, 400, 202, 200})) << ::testing::PrintToString(got);
}

TEST_F(Framing, ExpectContinueGets100BeforeTheBodyIsSent) {
  raw_connection conn(server().port());
  const std::string body = R"({"payload":"late"})";
  conn.send("POST /task HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Expect: 100-continue\r\nConnection: close\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n");
  EXPECT_EQ(conn.read_until("\r\n\r\n", 5s), "HTTP/1.1 100 Continue\r\n\r\n");
  conn.send(body);
  const auto got = conn.read_until_close(5s);
  EXPECT_EQ(statuses(got), std::vector<int>{202}) << ::testing::PrintToString(got);
}

// A chunked body whose head and chunks come by separate writes (usually
// separate segments): the session reads on until the parser has the last
// chunk, and the task holds the whole body.
TEST_F(Framing, AChunkedBodyInPiecesIsReadWhole) {
  raw_connection conn(server().port());
  conn.send("POST /task HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  for (const std::string_view piece : {R"({"type":"uppercase",)", R"("payload":"in )", R"(pieces"})"}) {
    std::ostringstream chunk;
    chunk << std::hex << piece.size() << "\r\n" << piece << "\r\n";
    conn.send(chunk.str());
  }
  conn.send("0\r\n\r\n");
  const auto got = conn.read_until_close(5s);
  ASSERT_EQ(statuses(got), std::vector<int>{202}) << ::testing::PrintToString(got);
  const auto answer = json::parse(got.substr(got.find("\r\n\r\n") + 4)).as_object();
  const auto task = wait_terminal(client(), str(answer, "id"));
  EXPECT_EQ(str(task, "status"), "succeeded") << json::serialize(task);
  EXPECT_EQ(task.at("result"), json::parse(R"({"text":"IN PIECES"})")) << json::serialize(task);
}

// RFC 9110 15.2.1: a server may skip the 100 when the content is already
// there; this one does, and answers the request at once.
TEST_F(Framing, ExpectContinueWithTheBodyAlreadySentGetsTheFinalAnswerOnly) {
  raw_connection conn(server().port());
  conn.send(post_task_bytes(R"({"payload":"eager"})", "Expect: 100-continue\r\nConnection: close\r\n"));
  const auto got = conn.read_until_close(5s);
  EXPECT_EQ(statuses(got), std::vector<int>{202}) << ::testing::PrintToString(got);
}

// Whether a connection goes on is settled in one place, the session, from the
// request's version and Connection field.
TEST_F(Framing, Http10ClosesUnlessItAsksForKeepAlive) {
  raw_connection plain(server().port());
  plain.send("GET /health/live HTTP/1.0\r\n\r\n");
  const auto got = plain.read_until_close(5s);
  EXPECT_TRUE(plain.peer_closed()) << ::testing::PrintToString(got);
  EXPECT_TRUE(got.starts_with("HTTP/1.0 200")) << ::testing::PrintToString(got);
  EXPECT_EQ(got.find("Connection:"), std::string::npos) << ::testing::PrintToString(got);

  raw_connection kept(server().port());
  const std::string ask = "GET /health/live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  kept.send(ask);
  const auto first = kept.read_until("{\"status\":\"alive\"}", 5s);
  EXPECT_NE(first.find("\r\nConnection: keep-alive\r\n"), std::string::npos)
    << ::testing::PrintToString(first);
  kept.send(ask);
  EXPECT_TRUE(kept.read_until("{\"status\":\"alive\"}", 5s).starts_with("HTTP/1.0 200"))
    << "the kept connection did not answer a second request";
  EXPECT_FALSE(kept.peer_closed());
}

TEST_F(Framing, Http11ClosesWhenItSaysClose) {
  raw_connection conn(server().port());
  conn.send(post_task_bytes(R"({"payload":"last"})", "Connection: close\r\n"));
  const auto got = conn.read_until_close(5s);
  EXPECT_TRUE(conn.peer_closed()) << ::testing::PrintToString(got);
  EXPECT_EQ(statuses(got), std::vector<int>{202}) << ::testing::PrintToString(got);
  EXPECT_NE(got.find("\r\nConnection: close\r\n"), std::string::npos) << ::testing::PrintToString(got);
}

// The head's own limit (16 KiB): Beast's parser refuses a head that grows
// past it while the session reads on, and the client hears why.
TEST_F(Framing, AHeadOverItsLimitIs431) {
  raw_connection conn(server().port());
  conn.send("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(17 * 1024, 'a') +
            "\r\n\r\n");
  const auto got = conn.read_until_close(5s);
  EXPECT_EQ(statuses(got), std::vector<int>{431}) << ::testing::PrintToString(got.substr(0, 300));
  EXPECT_NE(got.find("headers_too_large"), std::string::npos) << ::testing::PrintToString(got.substr(0, 300));
  EXPECT_TRUE(still_serving(client()));
}

TEST_F(Framing, ABodyOverTheLimitInTheHeadsSegmentIs413) {
  raw_connection conn(server().port());
  conn.send(post_task_bytes(R"({"payload":")" + std::string(4096, 'a') + R"("})"));
  const auto got = conn.read_until_close(5s);
  EXPECT_EQ(statuses(got), std::vector<int>{413}) << ::testing::PrintToString(got.substr(0, 300));
  EXPECT_TRUE(still_serving(client()));
}

} // namespace
} // namespace taskmesh::it
