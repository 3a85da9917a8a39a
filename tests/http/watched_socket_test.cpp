// File: tests/http/watched_socket_test.cpp
// The lazy deadline of a connection (transport/http/watched_socket.hpp) on a
// real loopback TCP pair: a read waiting past the deadline ends aborted and
// the socket is closed; a deadline moved later, or taken away, while a wait
// for an earlier one is pending is honoured when that wait fires; close()
// lets the watchdog go and closes the socket.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <list>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "transport/http/watched_socket.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using taskmesh::http::watched_socket;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A connected pair on loopback: the server end goes into a watched_socket.
struct socket_pair {
  asio::io_context ioc;
  tcp::socket client{ioc};
  std::shared_ptr<watched_socket> server;

  socket_pair() {
    tcp::acceptor acceptor{ioc, {asio::ip::address_v4::loopback(), 0}};
    client.connect(acceptor.local_endpoint());
    server = watched_socket::make(acceptor.accept());
  }
};

long long ms_since(clock_type::time_point start) {
  return std::chrono::duration_cast<milliseconds>(clock_type::now() - start).count();
}

// Each test starts a one-byte read on the watched end and runs the context
// until it is out of work: the read has ended, as have the test's timers.
class WatchedSocket : public ::testing::Test {
protected:
  void start_read() {
    asio::async_read(p.server->socket(), asio::buffer(&byte, 1),
                     [this](const boost::system::error_code& ec, std::size_t) { result = ec; });
  }
  void run_until_read_ends() {
    p.ioc.run();
    ASSERT_TRUE(result.has_value()) << "the read never ended";
  }
  // At `after` from now, `step` runs on the connection's executor.
  void at(milliseconds after, std::function<void()> step) {
    auto& timer = timers.emplace_back(p.ioc, after);
    timer.async_wait([step = std::move(step)](const boost::system::error_code&) { step(); });
  }

  socket_pair p;
  char byte = 0;
  std::optional<boost::system::error_code> result;
  const clock_type::time_point started = clock_type::now();
  std::list<asio::steady_timer> timers;
};

TEST_F(WatchedSocket, AReadWaitingPastTheDeadlineEndsAndTheSocketCloses) {
  p.server->expires_after(milliseconds(100));
  start_read();
  run_until_read_ends();

  EXPECT_EQ(*result, asio::error::operation_aborted);
  EXPECT_FALSE(p.server->socket().is_open());
  EXPECT_GE(ms_since(started), 100) << "closed before its deadline";
}

TEST_F(WatchedSocket, ADeadlineMovedLaterIsTheOneThatCounts) {
  // Armed for 100 ms; at 50 ms the session moves the deadline to 50 + 200
  // ms, as each request of a keep-alive connection does. The wait armed for
  // 100 ms must re-arm, not close the socket at 100 ms.
  p.server->expires_after(milliseconds(100));
  start_read();
  at(milliseconds(50), [this] { p.server->expires_after(milliseconds(200)); });
  run_until_read_ends();

  EXPECT_EQ(*result, asio::error::operation_aborted);
  EXPECT_GE(ms_since(started), 250) << "closed by the deadline it had moved away from";
}

TEST_F(WatchedSocket, AnEarlierDeadlineIsArmedAtOnce) {
  // Armed for 10 s, then moved to 100 ms: the pending wait is for later, so
  // the earlier deadline needs the timer re-armed, or the socket would stay
  // open for 10 s.
  p.server->expires_after(std::chrono::seconds(10));
  p.server->expires_after(milliseconds(100));
  start_read();
  run_until_read_ends();

  EXPECT_EQ(*result, asio::error::operation_aborted);
  EXPECT_LT(ms_since(started), 5000) << "the earlier deadline was not armed";
}

TEST_F(WatchedSocket, NoDeadlineWhileTheSessionIsNotWaitingOnTheClient) {
  // The wait armed for 100 ms fires while there is no deadline (a handler
  // is running): the socket stays open, and data sent at 300 ms is read.
  p.server->expires_after(milliseconds(100));
  p.server->expires_never();
  start_read();
  at(milliseconds(300), [this] { asio::write(p.client, asio::buffer("x", 1)); });
  run_until_read_ends();

  EXPECT_FALSE(*result) << result->message();
  EXPECT_EQ(byte, 'x');
  EXPECT_TRUE(p.server->socket().is_open());
}

TEST_F(WatchedSocket, CloseLetsTheWatchdogGoAndClosesTheSocket) {
  p.server->expires_after(std::chrono::seconds(30));
  p.server->close();
  p.ioc.run(); // the aborted wait runs now, not in 30 s

  EXPECT_FALSE(p.server->socket().is_open());
  EXPECT_EQ(p.server.use_count(), 1) << "the watchdog still holds the connection";
  p.server->expires_after(milliseconds(1)); // closed: arms nothing (an armed
  EXPECT_EQ(p.server.use_count(), 1);       // wait would hold a reference)
}

} // namespace
