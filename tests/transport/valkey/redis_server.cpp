// File: tests/transport/valkey/redis_server.cpp
#include "tests/transport/valkey/redis_server.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "tests/support/wait.hpp"

namespace taskmesh::valkey::testing {
namespace {

using namespace std::chrono_literals;

context_ptr connect_raw(unsigned short port) {
  const timeval tv{0, 200'000};
  context_ptr c(redisConnectWithTimeout("127.0.0.1", port, tv));
  if (!c || c->err)
    return nullptr;
  redisSetTimeout(c.get(), timeval{2, 0});
  return c;
}

reply_ptr command_raw(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return reply_ptr(static_cast<redisReply*>(
    redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
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

redis_server::redis_server() : redis_server(options{}) {}

redis_server::redis_server(options o) : options_(std::move(o)), binary_(find_redis_server()) {
  std::string dir = (std::filesystem::temp_directory_path() / "taskmesh-valkey-XXXXXX").string();
  if (!::mkdtemp(dir.data()))
    throw std::runtime_error("mkdtemp failed for " + dir);
  dir_ = dir;
  // Another process may take the free port before the server binds it:
  // try a few fresh ports before giving up.
  for (int attempt = 0;; ++attempt) {
    port_ = test_support::free_loopback_port();
    try {
      start();
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

void redis_server::start() {
  std::vector<std::string> args{"--port",    std::to_string(port_),
                                "--bind",    "127.0.0.1",
                                "--save",    "",
                                "--appendonly", options_.appendonly ? "yes" : "no",
                                "--dir",     dir_,
                                "--loglevel", "warning"};
  if (!options_.password.empty()) {
    args.push_back("--requirepass");
    args.push_back(options_.password);
  }
  child_ = std::make_unique<test_support::child_process>(binary_, args);
  const bool ready = test_support::wait_until(
    [&] { return !child_->running() || answers_ping(); }, 10s);
  if (!ready || !child_->running()) {
    const std::string log = child_->log_tail();
    child_.reset();
    throw std::runtime_error("redis-server on 127.0.0.1:" + std::to_string(port_) +
                             (ready ? " exited at start" : " did not answer PING in 10 s") +
                             "; its log:\n" + log);
  }
}

bool redis_server::answers_ping() const {
  auto c = connect_raw(port_);
  if (!c)
    return false;
  auto r = command_raw(c.get(), {"PING"});
  if (!r)
    return false;
  const auto text = string_of(r.get());
  // NOAUTH: up, but wants a password (--requirepass); LOADING: not yet.
  return (text && *text == "PONG") ||
         (is_error(r.get()) && std::string_view(r->str, r->len).starts_with("NOAUTH"));
}

valkey_config redis_server::config() const {
  valkey_config c;
  c.host = "127.0.0.1";
  c.port = port_;
  c.password = options_.password;
  c.connect_timeout = 500ms;
  c.command_timeout = 500ms;
  c.reconnect_min = 20ms;
  c.reconnect_max = 200ms;
  return c;
}

void redis_server::kill() {
  if (!child_)
    return;
  child_->signal(SIGKILL);
  child_->wait_exit(5s);
  child_.reset();
}

void redis_server::restart() {
  kill();
  start();
}

void redis_server::pause() {
  if (child_)
    child_->signal(SIGSTOP);
}

void redis_server::resume() {
  if (child_)
    child_->signal(SIGCONT);
}

reply_ptr redis_server::admin(const std::vector<std::string>& args) const {
  auto c = connect_raw(port_);
  if (!c)
    throw std::runtime_error("admin: cannot connect to 127.0.0.1:" + std::to_string(port_));
  if (!options_.password.empty())
    command_raw(c.get(), {"AUTH", options_.password});
  auto r = command_raw(c.get(), args);
  if (!r)
    throw std::runtime_error("admin: no reply to " + args.front());
  return r;
}

long long redis_server::admin_integer(const std::vector<std::string>& args) const {
  const auto r = admin(args);
  const auto n = integer_of(r.get());
  if (!n)
    throw std::runtime_error("admin: " + args.front() + " did not answer an integer");
  return *n;
}

std::string redis_server::log_tail() const {
  return child_ ? child_->log_tail() : std::string("(not running)");
}

} // namespace taskmesh::valkey::testing
