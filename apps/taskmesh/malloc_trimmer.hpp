// File: apps/taskmesh/malloc_trimmer.hpp
// Hands memory that glibc's malloc holds free back to the system every
// `interval`, on a thread of its own.
//
// Why: glibc gives threads that allocate under contention arenas of their
// own and returns an arena's free memory only from its top, so RSS of a
// long run rises in steps although nothing leaks. Measured in 10-minute
// soaks at 10k tasks/s with a full store (docs/benchmarks.md): +569 KB/min
// with the default allocator settings; flat with a single arena, but one
// arena cost 40% of the POST /tasks rate (threads contend on its lock).
// malloc_trim(0) releases the free pages of every arena without that cost.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace taskmesh::app {

class malloc_trimmer {
public:
  explicit malloc_trimmer(std::chrono::milliseconds interval);
  ~malloc_trimmer(); // stops and joins the thread
  malloc_trimmer(const malloc_trimmer&) = delete;
  malloc_trimmer& operator=(const malloc_trimmer&) = delete;

private:
  void loop();

  std::chrono::milliseconds interval_;
  std::mutex mtx_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

} // namespace taskmesh::app
