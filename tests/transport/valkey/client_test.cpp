// File: tests/transport/valkey/client_test.cpp
// The client against a real redis-server: PING and healthy(), a pipelined
// batch, error replies, AUTH (password and ACL user), SELECT, and the
// failure paths: connection refused, a stopped server (command timeout),
// a killed and restarted server (errors while down, then recovery by itself).
#include <gtest/gtest.h>

#include <chrono>

#include "tests/support/wait.hpp"
#include "tests/transport/valkey/redis_server.hpp"
#include "transport/valkey/client.hpp"

namespace taskmesh::valkey::testing {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using test_support::wait_until;

std::chrono::milliseconds elapsed_since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
}

TEST(ValkeyClient, PingMakesHealthy) {
  redis_server server;
  client c(server.config());
  EXPECT_FALSE(c.healthy());
  ASSERT_TRUE(c.ping());
  EXPECT_TRUE(c.healthy());
  EXPECT_EQ(c.connects(), 1u);
  ASSERT_TRUE(c.ping());
  EXPECT_EQ(c.connects(), 1u); // the connection is reused
}

TEST(ValkeyClient, PipelineRoundTrip) {
  redis_server server;
  client c(server.config());
  constexpr int n = 1000;
  std::vector<std::string> keys, values;
  for (int i = 0; i < n; ++i) {
    keys.push_back(std::string("k").append(std::to_string(i)));
    values.push_back(std::string(i % 50, 'v').append(std::to_string(i)));
  }
  std::vector<command> batch;
  for (int i = 0; i < n; ++i)
    batch.emplace_back("SET").arg(keys[i]).arg(values[i]);
  batch.emplace_back("INCR").arg(keys[1]); // "v1" is not an integer: an error reply
  for (int i = 0; i < n; ++i)
    batch.emplace_back("GET").arg(keys[i]);
  batch.emplace_back("DBSIZE");

  auto replies = c.pipeline(batch);
  ASSERT_TRUE(replies) << replies.err().message;
  ASSERT_EQ(replies->size(), batch.size());
  for (int i = 0; i < n; ++i)
    EXPECT_EQ(string_of((*replies)[i].get()), "OK");
  auto e = reply_error((*replies)[n].get());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, errc::server_error);
  EXPECT_NE(e->message.find("not an integer"), std::string::npos) << e->message;
  for (int i = 0; i < n; ++i)
    EXPECT_EQ(string_of((*replies)[n + 1 + i].get()), values[i]);
  EXPECT_EQ(integer_of(replies->back().get()), n);
  EXPECT_TRUE(c.healthy()); // an error reply is not a connection problem
}

TEST(ValkeyClient, BinarySafeArguments) {
  redis_server server;
  client c(server.config());
  const std::string key("a\0b", 3), value("\r\n\0\xff", 4);
  ASSERT_TRUE(c.execute(command("SET").arg(key).arg(value)));
  auto r = c.execute(command("GET").arg(key));
  ASSERT_TRUE(r);
  EXPECT_EQ(string_of(r->get()), value);
}

TEST(ValkeyClient, ExecuteTurnsErrorRepliesIntoErrors) {
  redis_server server;
  client c(server.config());
  auto r = c.execute(command("NOSUCHCOMMAND"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::server_error);
  EXPECT_TRUE(c.healthy());
}

TEST(ValkeyClient, AuthWithPassword) {
  redis_server server({.password = "hunter2"});
  client good(server.config());
  ASSERT_TRUE(good.ping());

  valkey_config wrong = server.config();
  wrong.password = "nope";
  client bad(wrong);
  auto r = bad.ping();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::auth_failed) << r.err().message;
  EXPECT_EQ(r.err().message.find("nope"), std::string::npos) << r.err().message;
  EXPECT_FALSE(bad.healthy());

  valkey_config none = server.config();
  none.password.clear();
  client anonymous(none);
  auto n = anonymous.ping();
  ASSERT_FALSE(n);
  EXPECT_EQ(n.err().code, errc::auth_failed) << n.err().message; // NOAUTH
}

TEST(ValkeyClient, AclUserFromUrl) {
  redis_server server({.password = "adminpw"});
  auto created = server.admin({"ACL", "SETUSER", "app", "on", ">app:pw", "~*", "+@all"});
  ASSERT_EQ(string_of(created.get()), "OK");

  auto config = parse_url("redis://app:app%3Apw@127.0.0.1:" + std::to_string(server.port()),
                          server.config());
  ASSERT_TRUE(config) << config.err().message;
  client c(*config);
  auto who = c.execute(command("ACL").arg("WHOAMI"));
  ASSERT_TRUE(who) << who.err().message;
  EXPECT_EQ(string_of(who->get()), "app");
}

TEST(ValkeyClient, SelectsTheConfiguredDatabase) {
  redis_server server;
  valkey_config db3 = server.config();
  db3.db = 3;
  client c3(db3), c0(server.config());
  ASSERT_TRUE(c3.execute(command("SET").arg("where").arg("three")));
  auto in0 = c0.execute(command("EXISTS").arg("where"));
  auto in3 = c3.execute(command("EXISTS").arg("where"));
  ASSERT_TRUE(in0 && in3);
  EXPECT_EQ(integer_of(in0->get()), 0);
  EXPECT_EQ(integer_of(in3->get()), 1);

  valkey_config out_of_range = server.config();
  out_of_range.db = 100000;
  client bad(out_of_range);
  auto r = bad.ping();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::server_error);
  EXPECT_NE(r.err().message.find("SELECT 100000"), std::string::npos) << r.err().message;
}

TEST(ValkeyClient, RefusedConnectionFailsFastAndBacksOff) {
  valkey_config config;
  config.port = test_support::free_loopback_port(); // nothing listens there
  config.connect_timeout = 500ms;
  config.reconnect_min = 100ms;
  config.reconnect_max = 400ms;
  client c(config);

  auto start = clock_type::now();
  auto first = c.ping();
  ASSERT_FALSE(first);
  EXPECT_EQ(first.err().code, errc::connect_failed) << first.err().message;
  EXPECT_LT(elapsed_since(start), 500ms);

  // Within the backoff: no connect attempt, an immediate error.
  start = clock_type::now();
  auto second = c.ping();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.err().code, errc::not_connected) << second.err().message;
  EXPECT_NE(second.err().message.find("refused"), std::string::npos) << second.err().message;
  EXPECT_LT(elapsed_since(start), 20ms);
  EXPECT_FALSE(c.healthy());

  // After it: a real attempt again.
  std::this_thread::sleep_for(110ms);
  auto third = c.ping();
  ASSERT_FALSE(third);
  EXPECT_EQ(third.err().code, errc::connect_failed);
}

TEST(ValkeyClient, StoppedServerTimesOutWithinCommandTimeout) {
  redis_server server;
  valkey_config config = server.config();
  config.command_timeout = 300ms;
  client c(config);
  ASSERT_TRUE(c.ping());

  server.pause();
  const auto start = clock_type::now();
  auto r = c.ping();
  const auto took = elapsed_since(start);
  server.resume();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::timeout) << r.err().message;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 800ms);
  EXPECT_FALSE(c.healthy());

  EXPECT_TRUE(wait_until([&] { return bool(c.ping()); }, 3s));
  EXPECT_TRUE(c.healthy());
}

TEST(ValkeyClient, RecoversByItselfAfterServerRestart) {
  redis_server server({.password = "", .persistence = test_support::redis_persistence::aof});
  client c(server.config());
  ASSERT_TRUE(c.execute(command("SET").arg("survivor").arg("yes")));

  server.kill();
  const auto start = clock_type::now();
  auto down = c.ping();
  ASSERT_FALSE(down);
  EXPECT_LT(elapsed_since(start), 600ms); // an error, not a hang
  EXPECT_FALSE(c.healthy());
  for (int i = 0; i < 5; ++i) {
    const auto t = clock_type::now();
    EXPECT_FALSE(c.ping());
    EXPECT_LT(elapsed_since(t), 600ms);
  }

  server.restart(); // same port
  // Nothing but calling again: the backoff (20..200 ms) brings it back.
  ASSERT_TRUE(wait_until([&] { return bool(c.ping()); }, 3s));
  EXPECT_TRUE(c.healthy());
  EXPECT_EQ(c.connects(), 2u);
  auto r = c.execute(command("GET").arg("survivor"));
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(string_of(r->get()), "yes"); // AOF kept it across the restart
}

TEST(ValkeyClient, StaleConnectionAfterRestartIsRetriedOnlyWhenIdempotent) {
  redis_server server;
  client c(server.config());
  ASSERT_TRUE(c.ping());
  server.restart(); // the client's connection is now dead, and it does not know

  auto plain = c.ping(); // retry::never: the dead connection is an error
  ASSERT_FALSE(plain);
  EXPECT_TRUE(plain.err().connection_lost()) << plain.err().message;

  ASSERT_TRUE(c.ping()); // the next call reconnects at once
  server.restart();
  const command incr = command("INCR").arg("n");
  auto retried = c.pipeline({&incr, 1}, retry::once_if_connection_lost);
  ASSERT_TRUE(retried) << retried.err().message;
  EXPECT_EQ(integer_of(retried->front().get()), 1);
  EXPECT_EQ(c.connects(), 3u);
}

} // namespace
} // namespace taskmesh::valkey::testing
