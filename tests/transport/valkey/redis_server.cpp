// File: tests/transport/valkey/redis_server.cpp
// The hiredis side of the test server: client config and admin commands.
#include "tests/transport/valkey/redis_server.hpp"

#include <chrono>
#include <stdexcept>

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

redis_server::redis_server() : redis_server(options{}) {}

redis_server::redis_server(options o) : server_(std::move(o)) {}

valkey_config redis_server::config() const {
  valkey_config c;
  c.host = "127.0.0.1";
  c.port = port();
  c.password = server_.options().password;
  c.connect_timeout = 500ms;
  c.command_timeout = 500ms;
  c.reconnect_min = 20ms;
  c.reconnect_max = 200ms;
  return c;
}

reply_ptr redis_server::admin(const std::vector<std::string>& args) const {
  auto c = connect_raw(port());
  if (!c)
    throw std::runtime_error("admin: cannot connect to 127.0.0.1:" + std::to_string(port()));
  if (!server_.options().password.empty())
    command_raw(c.get(), {"AUTH", server_.options().password});
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

} // namespace taskmesh::valkey::testing
