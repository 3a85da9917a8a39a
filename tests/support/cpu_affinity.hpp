// File: tests/support/cpu_affinity.hpp
// Runs the calling thread on one CPU of its current mask for as long as the
// guard lives (as taskset, a cpuset or Kubernetes' static CPU manager would
// confine a process; processes started meanwhile inherit the mask), then
// restores the mask. Header-only: unit tests use it without test_support.
#pragma once

#include <sched.h>

namespace taskmesh::test_support {

class one_cpu_affinity {
public:
  one_cpu_affinity() {
    CPU_ZERO(&saved_);
    if (sched_getaffinity(0, sizeof saved_, &saved_) != 0 || CPU_COUNT(&saved_) < 2)
      return;
    int first = 0;
    while (!CPU_ISSET(first, &saved_))
      ++first;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    narrowed_ = sched_setaffinity(0, sizeof one, &one) == 0;
  }
  ~one_cpu_affinity() { restore(); }
  one_cpu_affinity(const one_cpu_affinity&) = delete;
  one_cpu_affinity& operator=(const one_cpu_affinity&) = delete;

  // False when the thread could run on one CPU only already (nothing to
  // narrow) or the mask could not be set.
  bool narrowed() const noexcept { return narrowed_; }
  int cpus_before() const noexcept { return CPU_COUNT(&saved_); }

  void restore() noexcept {
    if (narrowed_)
      sched_setaffinity(0, sizeof saved_, &saved_);
    narrowed_ = false;
  }

private:
  cpu_set_t saved_;
  bool narrowed_ = false;
};

} // namespace taskmesh::test_support
