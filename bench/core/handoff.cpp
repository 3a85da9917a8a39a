// File: bench/core/handoff.cpp
// taskmesh-bench-handoff: what one thread waking another costs on this
// machine. Two threads hand a token back and forth through semaphores (a
// futex wait and wake each way, as a CAF scheduler thread or an I/O thread
// sleeping on its condition variable is woken); every hand-off is one
// wake-up and one context switch. Measured with both threads on one CPU and
// with the two on different CPUs. A request that crosses threads pays this
// once per crossing when nothing batches it (docs/benchmarks.md, "Pinned").
//   taskmesh-bench-handoff [hand-offs]     (default 200000)
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

bool pin(std::thread& t, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(t.native_handle(), sizeof set, &set) == 0;
}

// Microseconds per hand-off with the two threads on cpu_a and cpu_b.
double handoff_us(int cpu_a, int cpu_b, long rounds) {
  sem_t to_a, to_b, start;
  sem_init(&to_a, 0, 0);
  sem_init(&to_b, 0, 0);
  sem_init(&start, 0, 0);
  double us = 0;
  std::thread a{[&] {
    sem_wait(&start);
    const auto began = std::chrono::steady_clock::now();
    for (long i = 0; i < rounds; ++i) {
      sem_post(&to_b);
      sem_wait(&to_a);
    }
    const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - began;
    us = took.count() / (2.0 * static_cast<double>(rounds));
  }};
  std::thread b{[&] {
    for (long i = 0; i < rounds; ++i) {
      sem_wait(&to_b);
      sem_post(&to_a);
    }
  }};
  const bool pinned = pin(a, cpu_a) && pin(b, cpu_b);
  sem_post(&start);
  a.join();
  b.join();
  for (sem_t* s : {&to_a, &to_b, &start})
    sem_destroy(s);
  return pinned ? us : -1;
}

} // namespace

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? std::atol(argv[1]) : 200'000;
  cpu_set_t mask;
  if (rounds <= 0 || sched_getaffinity(0, sizeof mask, &mask) != 0) {
    std::fprintf(stderr, "usage: taskmesh-bench-handoff [hand-offs > 0]\n");
    return 2;
  }
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &mask))
      cpus.push_back(c);
  std::printf("{\"same_cpu_us\":%.2f", handoff_us(cpus[0], cpus[0], rounds));
  if (cpus.size() > 1)
    std::printf(",\"across_cpus_us\":%.2f", handoff_us(cpus[0], cpus[1], rounds));
  std::printf(",\"handoffs\":%ld}\n", 2 * rounds);
  return 0;
}
