// File: tests/support/process.hpp
// child_process: one child started with fork/execve whose stdout and stderr
// go to a log file in its own temp dir, so a failing test can print what the
// child said. The destructor SIGKILLs and reaps only this child: a test that
// throws half-way never leaves a server behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace taskmesh::test_support {

// A fresh directory under the system temp dir ("<prefix>-XXXXXX" via
// mkdtemp); throws std::runtime_error if it cannot be made.
std::string make_temp_dir(const std::string& prefix);

using env_list = std::vector<std::pair<std::string, std::string>>;

class child_process {
public:
  // Starts `binary` with `args` (argv[1..]). The child gets this process's
  // environment minus every TASKMESH_* variable (so the runner's shell
  // cannot change what a test sees), plus `env`. Throws std::runtime_error
  // when the temp dir, the log file or fork fails; an execve failure shows
  // up as exit code 127 with the reason in the log.
  child_process(const std::string& binary, const std::vector<std::string>& args,
                const env_list& env = {});
  ~child_process();

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }

  // Sends `sig` unless the child has already been reaped.
  void signal(int sig);

  // SIGSTOP, returning once the child is stopped (a signal to a process
  // busy on another CPU takes effect a moment later: a test that pauses a
  // server and then sends must not race its last replies).
  void stop();

  // Waits up to `timeout` for the child to exit. Returns its exit code, or
  // 128 + signal number when a signal ended it, or nullopt when it is still
  // running. Once reaped, every later call returns the same answer at once.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  // True while the child has not exited (reaps it if it just did).
  bool running() { return !wait_exit(std::chrono::milliseconds(0)).has_value(); }

  const std::string& log_path() const { return log_path_; }

  // Everything the child wrote so far, or only its last `max_bytes`.
  std::string log() const;
  std::string log_tail(std::size_t max_bytes = 4000) const;

private:
  bool stopped_ = false; // by stop(), until signal(SIGCONT)
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string dir_;
  std::string log_path_;
};

// Runs a child to completion (SIGKILLed when it outlives `timeout`) and
// returns its exit code (nullopt after a kill) and everything it printed.
struct finished_run {
  std::optional<int> exit_code;
  std::string output;
};
finished_run run_to_exit(const std::string& binary, const std::vector<std::string>& args,
                         const env_list& env, std::chrono::milliseconds timeout);

// A TCP port on 127.0.0.1 that was free a moment ago: binds port 0, reads
// the port the kernel chose, closes. Another process may take it before
// the caller does; taskmesh_server retries on a fresh port when that happens.
unsigned short free_loopback_port();

} // namespace taskmesh::test_support
