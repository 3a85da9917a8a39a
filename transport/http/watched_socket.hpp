// File: transport/http/watched_socket.hpp
// A connection's socket with one deadline, enforced by a lazy watchdog: the
// session moves the deadline with a plain store, and a single timer, armed
// at most once per deadline period, closes the socket when the deadline
// passes while the session waits on the client.
//
// Why not beast::tcp_stream: it arms its timer when each read or write
// starts and cancels it when the operation ends, which is a timer-queue
// insert and removal under the I/O scheduler's mutex and a posted
// completion of the cancelled wait, for every request on a keep-alive
// connection (~1,300 instructions of a POST /task, bench/profile/run, and a
// mutex the actor threads' completions contend for). Here a keep-alive
// connection's requests cost no timer operation: the timer fires once per
// period (say, --header-timeout), finds the deadline moved on, and re-arms
// itself for it.
#pragma once

#include <chrono>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace taskmesh::http {

class watched_socket : public std::enable_shared_from_this<watched_socket> {
public:
  using clock = std::chrono::steady_clock;

  // Shared because the watchdog's pending wait keeps it alive; the session
  // calls close() when it is done with the connection.
  static std::shared_ptr<watched_socket> make(boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::socket& socket() { return socket_; }

  // From now on the socket is closed (pending operations end with
  // operation_aborted, later ones fail) once `deadline` passes.
  void expires_at(clock::time_point deadline);
  void expires_after(clock::duration timeout) { expires_at(clock::now() + timeout); }
  // No deadline: the session is not waiting on the client.
  void expires_never() { deadline_ = clock::time_point::max(); }

  // The session is over: the watchdog stops (its pending wait lets go of
  // this object) and the socket is shut down for sending and closed.
  void close();

  explicit watched_socket(boost::asio::ip::tcp::socket socket); // for make()

private:
  void arm(clock::time_point at);
  void on_timer();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  clock::time_point deadline_ = clock::time_point::max();
  clock::time_point armed_for_ = clock::time_point::max(); // max: no wait pending
  bool closed_ = false;
};

} // namespace taskmesh::http
