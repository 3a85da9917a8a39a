// File: transport/http/streams/stream_signal.hpp
// How another thread (the event hub's publisher: a store actor, a NATS
// callback) wakes a stream that waits on its session's executor: it posts a
// wake-up that cancels the wait. The waker holds only a weak reference and
// the executor, so it is harmless after the stream is gone.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "transport/http/types.hpp"

namespace taskmesh::http {

class stream_signal : public std::enable_shared_from_this<stream_signal> {
public:
  explicit stream_signal(asio::any_io_executor ex) : timer_(std::move(ex)) {}

  std::function<void()> waker() {
    return [weak = weak_from_this(), ex = timer_.get_executor()] {
      asio::post(ex, [weak] {
        if (auto self = weak.lock())
          self->timer_.cancel();
      });
    };
  }

  // Until `deadline`, or sooner when woken.
  awaitable<void> wait_until(std::chrono::steady_clock::time_point deadline) {
    timer_.expires_at(deadline);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }

private:
  asio::steady_timer timer_;
};

} // namespace taskmesh::http
