// File: actors/intake_queue.hpp
// The lock-free seam between the HTTP threads and the actor graph.
//
// HTTP threads push validated tasks (with a waiter for the answer) into a
// moodycamel ConcurrentQueue; the intake actor drains it in bulk. Nothing on
// the push path takes a lock:
//   - admission control is one atomic counter (`backlog`): tasks accepted but
//     not yet handed to a worker. Above `capacity` a push is refused and the
//     client gets 503 queue_full, so memory stays bounded;
//   - the intake actor is woken by one message when the queue goes from idle
//     to non-empty, not one message per task.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <vector>

#include <concurrentqueue/concurrentqueue.h>

#include "actors/messages.hpp"

namespace taskmesh {

// How the pipeline answered a submission.
struct submission_result {
  enum class kind : std::uint8_t { accepted, queue_full, unavailable };
  kind outcome = kind::accepted;
  std::vector<admission> admissions; // one per task, in submission order
};

// Implemented by the HTTP layer; complete() is called exactly once, on an
// actor thread, and must only hand the result back to its own executor.
class submission_waiter {
public:
  virtual ~submission_waiter() = default;
  virtual void complete(submission_result result) noexcept = 0;
};

struct submission {
  std::vector<task> tasks;
  std::unique_ptr<submission_waiter> waiter;
};

class intake_queue {
public:
  // `producers`: how many threads push (sizes the queue's pre-allocation).
  intake_queue(std::size_t capacity, std::size_t producers)
    : capacity_(static_cast<std::int64_t>(capacity)),
      queue_(std::min<std::size_t>(capacity, 65'536), 0, producers + 1) {}

  intake_queue(const intake_queue&) = delete;
  intake_queue& operator=(const intake_queue&) = delete;

  // Called once at wiring: how to wake the consumer.
  void on_wake(std::function<void()> wake) { wake_ = std::move(wake); }

  // HTTP threads. False: the backlog is full (the submission is left intact).
  bool try_push(submission& s) {
    const auto n = static_cast<std::int64_t>(s.tasks.size());
    if (backlog_.fetch_add(n, std::memory_order_relaxed) + n > capacity_) {
      backlog_.fetch_sub(n, std::memory_order_relaxed);
      return false;
    }
    waiting_.fetch_add(n, std::memory_order_relaxed);
    // May allocate a block the first times; bounded by the backlog gate.
    queue_.enqueue(std::move(s));
    if (!wake_pending_.exchange(true, std::memory_order_acq_rel))
      wake_();
    return true;
  }

  // Intake actor. Moves up to `max` submissions into `out`; returns how many.
  // Appends as it dequeues: sizing `out` to `max` first would construct and
  // destroy `max` empty submissions per round, most rounds holding a few.
  std::size_t drain(std::vector<submission>& out, std::size_t max) {
    const auto first = out.size();
    const auto n = queue_.try_dequeue_bulk(std::back_inserter(out), max);
    std::int64_t tasks = 0;
    for (auto i = first; i < out.size(); ++i)
      tasks += static_cast<std::int64_t>(out[i].tasks.size());
    waiting_.fetch_sub(tasks, std::memory_order_relaxed);
    return n;
  }

  // Tasks pushed and not drained yet (approximate while pushes race).
  std::int64_t waiting() const noexcept { return waiting_.load(std::memory_order_relaxed); }

  // Intake actor, after draining until empty. True if items arrived in the
  // meantime and the caller must drain again (it is then still "woken").
  bool finish_drain() {
    wake_pending_.exchange(false, std::memory_order_acq_rel);
    return queue_.size_approx() > 0 && !wake_pending_.exchange(true, std::memory_order_acq_rel);
  }

  // Tasks that left the backlog: handed to a worker, or duplicates.
  void release(std::size_t n) noexcept {
    backlog_.fetch_sub(static_cast<std::int64_t>(n), std::memory_order_relaxed);
  }

  std::int64_t backlog() const noexcept { return backlog_.load(std::memory_order_relaxed); }
  std::int64_t capacity() const noexcept { return capacity_; }

private:
  const std::int64_t capacity_;
  std::atomic<std::int64_t> backlog_{0};
  std::atomic<std::int64_t> waiting_{0};
  std::atomic<bool> wake_pending_{false};
  std::function<void()> wake_ = [] {};
  moodycamel::ConcurrentQueue<submission> queue_;
};

} // namespace taskmesh
