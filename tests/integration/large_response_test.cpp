// File: tests/integration/large_response_test.cpp
// A response bigger than what the kernel takes in one send: the server
// writes what it can at once and the rest as the client makes room
// (transport/http/session.cpp, write_response). A client with a tiny
// receive buffer that reads in small pieces must get every byte, in order,
// and the connection must carry its next request.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

namespace asio = boost::asio;

class LargeResponse : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({}); }
};

// Reads one response off `sock` (head up to the blank line, then exactly
// Content-Length bytes, 4 KiB per read); returns its body.
std::string read_response(asio::ip::tcp::socket& sock, asio::streambuf& in, unsigned& status) {
  const auto head_end = asio::read_until(sock, in, "\r\n\r\n");
  std::string head(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + head_end);
  in.consume(head_end);
  status = static_cast<unsigned>(std::stoul(head.substr(head.find(' ') + 1, 3)));
  const auto at = head.find("Content-Length: ");
  if (at == std::string::npos)
    throw std::runtime_error("no Content-Length in: " + head);
  const auto length = std::stoul(head.substr(at + 16));
  std::string body;
  body.reserve(length);
  const auto take_buffered = [&] {
    const auto n = std::min(in.size(), length - body.size());
    body.append(asio::buffers_begin(in.data()), asio::buffers_begin(in.data()) + static_cast<std::ptrdiff_t>(n));
    in.consume(n);
  };
  take_buffered();
  char piece[4096];
  while (body.size() < length) {
    const auto n = sock.read_some(asio::buffer(piece, std::min(sizeof piece, length - body.size())));
    body.append(piece, n);
  }
  return body;
}

TEST_F(LargeResponse, ASlowSmallBufferReaderGetsEveryByteAndKeepsItsConnection) {
  // 768 KiB of varied text: a lost or repeated slice would show.
  std::string payload;
  for (int i = 0; payload.size() < 768 * 1024; ++i)
    payload += std::to_string(i) + ",";
  const auto id = submit(client(), R"({"type":"echo","payload":")" + payload + R"("})");
  ASSERT_EQ(str(wait_terminal(client(), id), "status"), "succeeded");

  asio::io_context io;
  asio::ip::tcp::socket sock{io};
  sock.open(asio::ip::tcp::v4());
  sock.set_option(asio::socket_base::receive_buffer_size(4096));
  sock.connect({asio::ip::make_address("127.0.0.1"), server().port()});
  asio::streambuf in;
  for (int round = 0; round < 2; ++round) {
    const std::string request = "GET /task/" + id + " HTTP/1.1\r\nHost: x\r\n\r\n";
    asio::write(sock, asio::buffer(request));
    unsigned status = 0;
    const auto body = read_response(sock, in, status);
    ASSERT_EQ(status, 200u) << body.substr(0, 300);
    const auto record = json::parse(body).as_object();
    const auto& result = record.at("result").as_object();
    EXPECT_EQ(json::value_to<std::string>(result.at("payload")), payload)
      << "round " << round << ": the echoed payload differs (" << body.size() << " bytes read)";
  }
}

} // namespace
} // namespace taskmesh::it
