// File: chaos/verify/phase_signal.hpp
// Tells another thread which phase the run is in, so whatever injects the
// fault (the local scenarios) waits on a condition instead of sleeping:
// await(phase::fault) returns once the steady window is over.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "chaos/verify/config.hpp"

namespace taskmesh::verify {

class phase_signal {
public:
  void enter(phase p) {
    {
      std::lock_guard lock(m_);
      if (p > current_) current_ = p;
    }
    cv_.notify_all();
  }

  // True once the run reached `p` (or a later phase) within `timeout`.
  bool await(phase p, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return current_ >= p; });
  }

  phase current() {
    std::lock_guard lock(m_);
    return current_;
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  phase current_ = phase::steady;
};

} // namespace taskmesh::verify
