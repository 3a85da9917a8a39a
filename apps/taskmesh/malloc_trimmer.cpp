// File: apps/taskmesh/malloc_trimmer.cpp
#include "apps/taskmesh/malloc_trimmer.hpp"

#include <malloc.h>

namespace taskmesh::app {

malloc_trimmer::malloc_trimmer(std::chrono::milliseconds interval)
  : interval_(interval), thread_([this] { loop(); }) {}

malloc_trimmer::~malloc_trimmer() {
  {
    std::lock_guard lock(mtx_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void malloc_trimmer::loop() {
  std::unique_lock lock(mtx_);
  while (!wake_.wait_for(lock, interval_, [this] { return stop_; }))
    malloc_trim(0);
}

} // namespace taskmesh::app
