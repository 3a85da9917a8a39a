// File: transport/http/actor_await.hpp
// How a coroutine on an I/O thread waits for the actor graph without
// blocking: the continuation (an Asio completion handler) is parked in a
// waiter or callback, the actor side completes it from its own thread, and
// the completion is posted back onto the coroutine's executor.
//
// Lifetime: the waiting side holds outstanding work on that executor until
// the actor thread has finished posting, so an io_context's run() cannot
// return (and its owner destroy it) while post() is still signalling it.
// Found by ThreadSanitizer in the test helper that runs the router on a
// short-lived io_context (tests/http/http_test_support.hpp).
#pragma once

#include <memory>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "actors/intake_queue.hpp"
#include "transport/http/types.hpp"

namespace taskmesh::http {

namespace detail {

// A coroutine's completion handler, resumed from another thread: holds work
// on the handler's executor until post() has returned (see Lifetime above).
// One-shot: complete() at most once.
template <class Handler, class Result>
class posted_completion {
public:
  explicit posted_completion(Handler h)
    : work_(asio::make_work_guard(asio::get_associated_executor(h))), handler_(std::move(h)) {}
  void complete(Result result) {
    asio::post(work_.get_executor(), [h = std::move(handler_), r = std::move(result)]() mutable {
      std::move(h)(std::move(r));
    });
    work_.reset(); // only now may the context run out of work
  }

private:
  asio::executor_work_guard<asio::associated_executor_t<Handler>> work_;
  Handler handler_;
};

template <class Handler>
class posting_waiter final : public submission_waiter {
public:
  explicit posting_waiter(Handler h) : completion_(std::move(h)) {}
  void complete(submission_result result) noexcept override {
    completion_.complete(std::move(result));
  }

private:
  posted_completion<Handler, submission_result> completion_;
};

} // namespace detail

// Pushes tasks into the intake queue and resumes when intake answered (or at
// once with kind::queue_full).
inline awaitable<submission_result> submit(intake_queue& queue, std::vector<task> tasks) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(submission_result)>(
    [&queue](auto handler, std::vector<task> tasks) {
      using waiter_t = detail::posting_waiter<decltype(handler)>;
      submission s{std::move(tasks), std::make_unique<waiter_t>(std::move(handler))};
      if (!queue.try_push(s))
        s.waiter->complete({submission_result::kind::queue_full, {}});
    },
    asio::use_awaitable, std::move(tasks));
}

// Calls start(callback) and resumes with the value the callback receives.
// `start` hands the callback to the actor side (e.g. the bridge).
template <class Result, class Start>
awaitable<Result> await_callback(Start start) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Result)>(
    [start = std::move(start)](auto handler) mutable {
      // std::function needs a copyable callable: share the move-only completion.
      using completion_t = detail::posted_completion<decltype(handler), Result>;
      auto shared = std::make_shared<completion_t>(std::move(handler));
      start([shared](Result r) { shared->complete(std::move(r)); });
    },
    asio::use_awaitable);
}

} // namespace taskmesh::http
