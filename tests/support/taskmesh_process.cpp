// File: tests/support/taskmesh_process.cpp
// Start-up handshake with the real binary: launch, poll readiness, and turn
// every way that can go wrong into an exception that quotes the log.
#include "tests/support/taskmesh_process.hpp"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "tests/support/wait.hpp"

namespace taskmesh::test_support {
namespace {

using namespace std::chrono_literals;

bool mentions_port_in_use(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text.find("in use") != std::string::npos;
}

// Whether process `pid` holds the listening TCP socket of loopback `port`:
// the socket inodes in LISTEN state on that port (/proc/net/tcp) against the
// process's open descriptors. Another process can take a port from
// free_loopback_port() first and answer /health/ready itself (a cluster
// test's worker pod did) before ours has failed to bind and exited.
bool listens_on(pid_t pid, unsigned port) {
  std::set<std::string> inodes;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream tcp{table};
    std::string line;
    std::getline(tcp, line); // header
    while (std::getline(tcp, line)) {
      std::istringstream in{line};
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      in >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >>
        inode;
      const auto colon = local.find(':');
      if (state == "0A" && colon != std::string::npos &&
          std::stoul(local.substr(colon + 1), nullptr, 16) == port)
        inodes.insert("socket:[" + inode + "]");
    }
  }
  std::error_code ec;
  for (const auto& fd :
       std::filesystem::directory_iterator{"/proc/" + std::to_string(pid) + "/fd", ec}) {
    std::error_code link_ec;
    if (inodes.contains(std::filesystem::read_symlink(fd.path(), link_ec).string()))
      return true;
  }
  return false;
}

std::string command_line(const std::string& binary, const std::vector<std::string>& args) {
  std::string out = binary;
  for (const auto& a : args)
    out += " " + a;
  return out;
}

} // namespace

taskmesh_process::taskmesh_process(std::string binary, std::vector<std::string> flags,
                                   env_list env, std::chrono::milliseconds ready_timeout,
                                   std::string name, bool wait_ready)
    : binary_(std::move(binary)), flags_(std::move(flags)), env_(std::move(env)),
      ready_timeout_(ready_timeout), name_(std::move(name)) {
  launch();
  if (wait_ready)
    await_ready();
}

taskmesh_process::~taskmesh_process() {
  client_.reset();
  process_.reset(); // SIGKILLs and reaps the process if it is still running
}

void taskmesh_process::launch() {
  port_ = free_loopback_port();
  args_ = {"--listen", "127.0.0.1:" + std::to_string(port_)};
  if (std::find(flags_.begin(), flags_.end(), "--log-level") == flags_.end()) {
    args_.push_back("--log-level");
    args_.push_back("warn");
  }
  args_.insert(args_.end(), flags_.begin(), flags_.end());
  process_ = std::make_unique<child_process>(binary_, args_, env_);
}

void taskmesh_process::await_ready() {
  if (client_)
    return;
  // Ports come from free_loopback_port(), which another process can take
  // before ours binds it; three tries make that race irrelevant.
  for (int attempt = 0;; ++attempt) {
    if (wait_once())
      return;
    if (attempt == 2)
      break;
    launch();
  }
  throw std::runtime_error(name_ + " did not start: port taken three times; last log:\n" +
                           log_tail());
}

bool taskmesh_process::wait_once() {
  http_client probe(port_, 1s);
  unsigned last_status = 0;
  std::string last_error;
  const bool ready = wait_until(
    [&] {
      if (!process_->running())
        return true; // stop polling; reported below
      try {
        last_status = probe.get("/health/ready").status;
        return last_status == 200 && listens_on(process_->pid(), port_);
      } catch (const std::exception& e) {
        last_error = e.what(); // not listening yet
        return false;
      }
    },
    ready_timeout_, 20ms);

  if (const auto code = process_->wait_exit(0ms)) {
    if (mentions_port_in_use(process_->log()))
      return false;
    throw std::runtime_error(name_ + " exited with code " + std::to_string(*code) +
                             " before it was ready\ncommand: " + command_line(binary_, args_) +
                             "\nlog:\n" + log_tail());
  }
  if (!ready)
    throw std::runtime_error(
      name_ + " not ready within " + std::to_string(ready_timeout_.count()) +
      " ms (last /health/ready status " + std::to_string(last_status) + ", last error: " +
      last_error + ")\ncommand: " + command_line(binary_, args_) + "\nlog:\n" + log_tail());
  client_ = std::make_unique<http_client>(port_);
  return true;
}

unsigned taskmesh_process::ready_status(std::chrono::milliseconds timeout) const {
  try {
    http_client probe(port_, timeout);
    return probe.get("/health/ready").status;
  } catch (const std::exception&) {
    return 0;
  }
}

std::optional<int> taskmesh_process::stop(std::chrono::milliseconds timeout) {
  if (client_)
    client_->close();
  process_->signal(SIGCONT); // a paused process cannot act on SIGTERM
  process_->signal(SIGTERM);
  return process_->wait_exit(timeout);
}

std::string taskmesh_process::stop_expecting_clean_exit(std::chrono::milliseconds timeout) {
  const auto code = stop(timeout);
  if (code && *code == 0)
    return {};
  const std::string what = code ? "exit code " + std::to_string(*code)
                                : "still running " + std::to_string(timeout.count()) +
                                    " ms after SIGTERM";
  return name_ + " did not stop cleanly: " + what + "\nlog:\n" + log_tail();
}

void taskmesh_process::kill() {
  if (client_)
    client_->close();
  process_->signal(SIGKILL);
  process_->wait_exit(5s);
}

void taskmesh_process::pause() { process_->stop(); }

void taskmesh_process::resume() { process_->signal(SIGCONT); }

} // namespace taskmesh::test_support
