// File: tests/support/redis_server.cpp
// Finding, starting, probing (raw RESP PING) and stopping redis-server.
#include "tests/support/redis_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/wait.hpp"

namespace taskmesh::test_support {
namespace {

using namespace std::chrono_literals;

// One inline command on a fresh connection; the first reply line, or ""
// when the server cannot be reached or says nothing within 500 ms.
std::string first_reply_line(const std::string& host, unsigned short port,
                             std::string_view command) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return {};
  const timeval tv{0, 500'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  addr.sin_port = htons(port);
  std::string line;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, command.data(), command.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(command.size())) {
    char buf[256];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      line.append(buf, static_cast<std::size_t>(n));
      if (line.find("\r\n") != std::string::npos)
        break;
    }
  }
  ::close(fd);
  return line.substr(0, line.find("\r\n"));
}

} // namespace

std::string find_redis_server() {
  if (const char* env = std::getenv("REDIS_SERVER"); env && *env) {
    if (::access(env, X_OK) != 0)
      throw std::runtime_error(std::string("REDIS_SERVER=") + env + " is not an executable file");
    return env;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (const char* name : {"redis-server", "valkey-server"}) {
    std::string_view rest = dirs;
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      const std::string_view dir = rest.substr(0, colon);
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
      const std::string candidate = std::string(dir.empty() ? "." : dir) + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0)
        return candidate;
    }
  }
  throw std::runtime_error(
    "redis-server not found: the Valkey tests need a real server. Install redis-server (>= 7) "
    "or valkey-server, put it on PATH, or set REDIS_SERVER=/path/to/server");
}

redis_server::redis_server() : redis_server(redis_server_options{}) {}

redis_server::redis_server(redis_server_options o)
    : options_(std::move(o)), binary_(find_redis_server()) {
  dir_ = make_temp_dir("taskmesh-valkey");
  // Another process may take the free port before the server binds it:
  // try a few fresh ports before giving up.
  for (int attempt = 0;; ++attempt) {
    port_ = free_loopback_port();
    try {
      launch();
      return;
    } catch (const std::exception&) {
      if (attempt == 2) {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        throw;
      }
    }
  }
}

redis_server::~redis_server() {
  child_.reset(); // SIGKILLs and reaps only our child
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string redis_server::url() const {
  const std::string auth = options_.password.empty() ? "" : ":" + options_.password + "@";
  return "redis://" + auth + options_.host + ":" + std::to_string(port_);
}

void redis_server::launch() {
  const bool aof = options_.persistence != redis_persistence::none;
  std::vector<std::string> args{
    "--port",        std::to_string(port_),
    "--bind",        options_.host,
    "--save",        "",
    "--appendonly",  aof ? "yes" : "no",
    "--appendfsync", options_.persistence == redis_persistence::aof_always ? "always" : "everysec",
    "--dir",         dir_,
    "--loglevel",    "warning"};
  if (options_.replica_of != 0) {
    args.push_back("--replicaof");
    args.push_back(options_.host);
    args.push_back(std::to_string(options_.replica_of));
  }
  if (options_.host != "127.0.0.1") {
    // Protected mode refuses clients not on loopback when there is no
    // password; a test binds elsewhere exactly to have such clients.
    args.push_back("--protected-mode");
    args.push_back("no");
  }
  if (!options_.password.empty()) {
    args.push_back("--requirepass");
    args.push_back(options_.password);
  }
  child_ = std::make_unique<child_process>(binary_, args);
  const bool ready = wait_until([&] { return !child_->running() || answers_ping(); }, 10s);
  if (!ready || !child_->running()) {
    last_log_ = child_->log_tail();
    child_.reset();
    throw std::runtime_error("redis-server on 127.0.0.1:" + std::to_string(port_) +
                             (ready ? " exited at start" : " did not answer PING in 10 s") +
                             "; its log:\n" + last_log_);
  }
}

void redis_server::start() {
  if (!child_)
    launch();
}

bool redis_server::answers_ping() const {
  const auto line = first_reply_line(options_.host, port_, "PING\r\n");
  // NOAUTH: up, but wants a password (--requirepass); LOADING: not yet.
  return line == "+PONG" || line.starts_with("-NOAUTH");
}

void redis_server::stop() {
  if (!child_)
    return;
  child_->signal(SIGCONT);
  child_->signal(SIGTERM);
  if (!child_->wait_exit(10s))
    child_->signal(SIGKILL);
  child_->wait_exit(5s);
  last_log_ = child_->log_tail();
  child_.reset();
}

void redis_server::kill() {
  if (!child_)
    return;
  child_->signal(SIGKILL);
  child_->wait_exit(5s);
  last_log_ = child_->log_tail();
  child_.reset();
}

void redis_server::restart() {
  kill();
  start();
}

void redis_server::pause() {
  if (child_)
    child_->stop();
}

void redis_server::resume() {
  if (child_)
    child_->signal(SIGCONT);
}

std::string redis_server::log_tail(std::size_t max_bytes) const {
  return child_ ? child_->log_tail(max_bytes) : "(not running) " + last_log_;
}

} // namespace taskmesh::test_support
