// File: tests/support/process.cpp
// fork/execve with output captured to a file, polling waitpid, and the
// free-port probe. Everything the child does between fork and execve is
// async-signal-safe (the argv/envp arrays are built before fork), because a
// GoogleTest process may have other threads holding malloc's lock.
#include "tests/support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace taskmesh::test_support {

std::string make_temp_dir(const std::string& prefix) {
  std::string dir = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!::mkdtemp(dir.data()))
    throw std::runtime_error("mkdtemp " + dir + ": " + std::strerror(errno));
  return dir;
}
namespace {

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

std::vector<std::string> child_environment(const env_list& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("TASKMESH_"))
      continue;
    out.emplace_back(entry);
  }
  for (const auto& [key, value] : extra)
    out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> c_array(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Only async-signal-safe calls: runs in the child between fork and execve.
void write_all(int fd, const char* text) {
  std::size_t n = std::strlen(text);
  while (n > 0) {
    const ssize_t w = ::write(fd, text, n);
    if (w <= 0)
      return;
    text += w;
    n -= static_cast<std::size_t>(w);
  }
}

} // namespace

child_process::child_process(const std::string& binary, const std::vector<std::string>& args,
                             const env_list& env) {
  dir_ = make_temp_dir("taskmesh-it");
  log_path_ = dir_ + "/child.log";

  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0)
    throw sys_error("open " + log_path_);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  std::vector<std::string> argv_strings{binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  auto env_strings = child_environment(env);
  auto argv = c_array(argv_strings);
  auto envp = c_array(env_strings);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    if (null_fd >= 0)
      ::close(null_fd);
    throw sys_error("fork");
  }
  if (pid == 0) {
    // Dies with the test process even when the test runner is SIGKILLed.
    // (Strictly: when the forking thread ends; tests start servers from
    // the test's own thread, which outlives them.)
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(127);
    if (null_fd >= 0)
      ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    write_all(STDERR_FILENO, "child_process: execve failed: ");
    write_all(STDERR_FILENO, std::strerror(errno));
    write_all(STDERR_FILENO, "\n");
    ::_exit(127);
  }
  pid_ = pid;
  ::close(log_fd);
  if (null_fd >= 0)
    ::close(null_fd);
}

child_process::~child_process() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  std::error_code ignored;
  if (!dir_.empty())
    std::filesystem::remove_all(dir_, ignored);
}

void child_process::signal(int sig) {
  if (pid_ > 0 && !exit_code_)
    ::kill(pid_, sig);
  if (sig == SIGCONT)
    stopped_ = false;
}

void child_process::stop() {
  if (pid_ <= 0 || exit_code_ || stopped_) // a stop already reported is not reported again
    return;
  stopped_ = true;
  ::kill(pid_, SIGSTOP);
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WUNTRACED);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      throw sys_error("waitpid");
    if (WIFSTOPPED(status))
      return;
    if (WIFEXITED(status) || WIFSIGNALED(status)) { // ended before it stopped
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return;
    }
  }
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_code_ || pid_ <= 0)
    return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      if (WIFEXITED(status))
        exit_code_ = WEXITSTATUS(status);
      else if (WIFSIGNALED(status))
        exit_code_ = 128 + WTERMSIG(status);
      else
        exit_code_ = -1;
      return exit_code_;
    }
    if (r < 0 && errno != EINTR)
      throw sys_error("waitpid");
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string child_process::log() const {
  std::ifstream in(log_path_, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string child_process::log_tail(std::size_t max_bytes) const {
  auto text = log();
  if (text.size() > max_bytes)
    text = "...\n" + text.substr(text.size() - max_bytes);
  return text;
}

finished_run run_to_exit(const std::string& binary, const std::vector<std::string>& args,
                         const env_list& env, std::chrono::milliseconds timeout) {
  child_process child(binary, args, env);
  finished_run out;
  out.exit_code = child.wait_exit(timeout);
  if (!out.exit_code) {
    child.signal(SIGKILL);
    child.wait_exit(std::chrono::seconds(5));
  }
  out.output = child.log();
  return out;
}

unsigned short free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw sys_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) {
    const auto err = sys_error("bind 127.0.0.1:0");
    ::close(fd);
    throw err;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

} // namespace taskmesh::test_support
