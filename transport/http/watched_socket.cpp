// File: transport/http/watched_socket.cpp
#include "transport/http/watched_socket.hpp"

namespace taskmesh::http {

std::shared_ptr<watched_socket> watched_socket::make(boost::asio::ip::tcp::socket socket) {
  return std::make_shared<watched_socket>(std::move(socket));
}

watched_socket::watched_socket(boost::asio::ip::tcp::socket socket)
  : socket_(std::move(socket)), timer_(socket_.get_executor()) {}

void watched_socket::expires_at(clock::time_point deadline) {
  deadline_ = deadline;
  // A pending wait that fires no later than the deadline will re-arm for it
  // then; only an earlier deadline (or none pending) needs the timer now.
  if (deadline < armed_for_ && !closed_)
    arm(deadline);
}

void watched_socket::arm(clock::time_point at) {
  armed_for_ = at;
  timer_.expires_at(at); // a wait pending for a later time ends, aborted
  timer_.async_wait([self = shared_from_this(), at](const boost::system::error_code& ec) {
    // Aborted: close(), or re-armed for an earlier time (that wait owns
    // armed_for_ now).
    if (!ec && self->armed_for_ == at)
      self->on_timer();
  });
}

// Runs on the socket's executor, as the session does, so it never runs
// while the session is between two of its own steps.
void watched_socket::on_timer() {
  armed_for_ = clock::time_point::max();
  if (closed_ || deadline_ == clock::time_point::max())
    return; // not waiting on the client now; the next expires_at arms again
  if (clock::now() < deadline_) {
    arm(deadline_); // the deadline moved on since this wait was armed
    return;
  }
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void watched_socket::close() {
  closed_ = true;
  armed_for_ = clock::time_point::max();
  timer_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
}

} // namespace taskmesh::http
