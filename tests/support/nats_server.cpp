// File: tests/support/nats_server.cpp
// Finding, starting, probing and stopping the nats-server child.
#include "tests/support/nats_server.hpp"
#include "tests/support/process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

namespace taskmesh::test_support {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool executable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p); }

bool accepts(const std::string& host, unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

} // namespace

std::string find_nats_server() {
  if (const char* env = std::getenv("TASKMESH_NATS_SERVER"); env && *env)
    return executable(env) ? std::string(env) : std::string();
  std::vector<fs::path> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest(path);
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      dirs.emplace_back(std::string(rest.substr(0, colon)));
      if (colon == rest.npos)
        break;
      rest.remove_prefix(colon + 1);
    }
  }
  for (const char* d : {"/usr/sbin", "/usr/local/sbin", "/usr/local/bin"})
    dirs.emplace_back(d);
  for (const auto& d : dirs)
    if (!d.empty() && executable(d / "nats-server"))
      return (d / "nats-server").string();
  return {};
}

nats_server::nats_server(std::string host) : binary_(find_nats_server()), host_(std::move(host)) {
  if (binary_.empty()) {
    const char* env = std::getenv("TASKMESH_NATS_SERVER");
    throw std::runtime_error(
      env && *env
        ? "TASKMESH_NATS_SERVER=" + std::string(env) + " is not an executable nats-server"
        : std::string("nats-server not found (looked in PATH, /usr/sbin, /usr/local/sbin, "
                      "/usr/local/bin). It is a test dependency: run scripts/install-deps.sh "
                      "(Debian package nats-server) or point TASKMESH_NATS_SERVER at the binary."));
  }
  store_dir_ = make_temp_dir("taskmesh-nats");
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_loopback_port();
    if (start_once(10s))
      return;
  }
  std::error_code ignored;
  fs::remove_all(store_dir_, ignored);
  throw std::runtime_error("nats-server did not start:\n" + last_log_);
}

nats_server::~nats_server() {
  process_.reset(); // SIGKILL + reap, this child only
  std::error_code ignored;
  fs::remove_all(store_dir_, ignored);
}

bool nats_server::start_once(std::chrono::milliseconds timeout) {
  process_ = std::make_unique<child_process>(
    binary_, std::vector<std::string>{"-js", "-a", host_, "-p", std::to_string(port_), "-sd",
                                      store_dir_});
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running()) { // e.g. the port was taken meanwhile
      last_log_ = process_->log_tail();
      process_.reset();
      return false;
    }
    if (accepts(host_, port_))
      return true; // nats-server listens only once JetStream is up
    std::this_thread::sleep_for(5ms);
  }
  last_log_ = process_->log_tail();
  process_.reset();
  return false;
}

void nats_server::stop() {
  if (!process_)
    return;
  process_->signal(SIGCONT); // a frozen server cannot act on SIGTERM
  process_->signal(SIGTERM);
  if (!process_->wait_exit(10s))
    process_->signal(SIGKILL);
  process_->wait_exit(5s);
  last_log_ = process_->log_tail();
  process_.reset();
}

void nats_server::kill() {
  if (!process_)
    return;
  process_->signal(SIGKILL);
  process_->wait_exit(5s);
  last_log_ = process_->log_tail();
  process_.reset();
}

void nats_server::start() {
  if (process_)
    return;
  if (!start_once(10s))
    throw std::runtime_error("nats-server did not restart on port " + std::to_string(port_) + ":\n" +
                             last_log_);
}

void nats_server::freeze() {
  if (process_)
    process_->stop();
}

void nats_server::thaw() {
  if (process_)
    process_->signal(SIGCONT);
}

std::string nats_server::log_tail(std::size_t max_bytes) const {
  return process_ ? process_->log_tail(max_bytes) : last_log_;
}

} // namespace taskmesh::test_support
