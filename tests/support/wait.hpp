// File: tests/support/wait.hpp
// wait_until: the only way integration tests wait for the server. Polls a
// predicate instead of sleeping "long enough", so a fast server makes a fast
// test and a slow one still gets the whole timeout.
#pragma once

#include <chrono>
#include <thread>

namespace taskmesh::test_support {

// Calls pred() every `interval` until it returns true or `timeout` has
// passed; returns the last answer (so a late success still counts).
template <class Predicate>
bool wait_until(Predicate&& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return pred();
    std::this_thread::sleep_for(interval);
  }
}

} // namespace taskmesh::test_support
