// File: tests/transport/valkey/valkey_config_test.cpp
// parse_url: host/port/db, user and password (ACL and password-only, percent
// encoding), IPv6, defaults kept, every rejection (rediss:// with its TLS
// hint), and that neither errors nor the redacted form show the password.
#include <gtest/gtest.h>

#include "transport/valkey/valkey_config.hpp"

namespace taskmesh::valkey {
namespace {

using namespace std::chrono_literals;

valkey_config parse_ok(std::string_view url) {
  auto c = parse_url(url);
  EXPECT_TRUE(c) << url << ": " << (c ? "" : c.err().message);
  return c ? *c : valkey_config{};
}

TEST(ValkeyUrl, HostPortAndDb) {
  const auto c = parse_ok("redis://10.1.2.3:6380/5");
  EXPECT_EQ(c.host, "10.1.2.3");
  EXPECT_EQ(c.port, 6380);
  EXPECT_EQ(c.db, 5);
  EXPECT_TRUE(c.user.empty());
  EXPECT_TRUE(c.password.empty());
}

TEST(ValkeyUrl, PortAndDbDefault) {
  const auto c = parse_ok("redis://valkey.internal");
  EXPECT_EQ(c.host, "valkey.internal");
  EXPECT_EQ(c.port, 6379);
  EXPECT_EQ(c.db, 0);
  EXPECT_EQ(parse_ok("redis://h:1/").db, 0);
  EXPECT_EQ(parse_ok("REDIS://h:1").host, "h");
}

TEST(ValkeyUrl, UserAndPassword) {
  const auto c = parse_ok("redis://app:s3cret@127.0.0.1:6379/2");
  EXPECT_EQ(c.user, "app");
  EXPECT_EQ(c.password, "s3cret");
  EXPECT_EQ(c.db, 2);
}

TEST(ValkeyUrl, PasswordOnlyAsInRedisCli) {
  EXPECT_EQ(parse_ok("redis://:pw@h:1").password, "pw");
  EXPECT_EQ(parse_ok("redis://:pw@h:1").user, "");
  EXPECT_EQ(parse_ok("redis://pw@h:1").password, "pw");
  EXPECT_EQ(parse_ok("redis://pw@h:1").user, "");
}

TEST(ValkeyUrl, PercentDecodingAndSpecialCharacters) {
  const auto c = parse_ok("redis://us%40er:p%3Aw%2F@h:1");
  EXPECT_EQ(c.user, "us@er");
  EXPECT_EQ(c.password, "p:w/");
  // An unencoded '@' or '/' in the password: userinfo ends at the last '@'.
  EXPECT_EQ(parse_ok("redis://u:a@b/c@h:7/3").password, "a@b/c");
  EXPECT_EQ(parse_ok("redis://u:a@b/c@h:7/3").port, 7);
  EXPECT_FALSE(parse_url("redis://u:%zz@h"));
  EXPECT_FALSE(parse_url("redis://u:%4@h"));
}

TEST(ValkeyUrl, Ipv6InBrackets) {
  const auto c = parse_ok("redis://[::1]:6390/1");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 6390);
  EXPECT_EQ(parse_ok("redis://[::1]").port, 6379);
  EXPECT_FALSE(parse_url("redis://::1:6379"));
  EXPECT_FALSE(parse_url("redis://[::1:6379"));
}

TEST(ValkeyUrl, KeepsTimeoutsFromDefaults) {
  valkey_config d;
  d.connect_timeout = 123ms;
  d.command_timeout = 456ms;
  d.password = "not-from-url";
  auto c = parse_url("redis://h:1", d);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->connect_timeout, 123ms);
  EXPECT_EQ(c->command_timeout, 456ms);
  EXPECT_EQ(c->password, ""); // credentials come from the URL only
}

TEST(ValkeyUrl, RejectsRedissWithTlsHint) {
  for (auto url : {"rediss://h:6380", "REDISS://u:pw@h"}) {
    auto c = parse_url(url);
    ASSERT_FALSE(c) << url;
    EXPECT_EQ(c.err().code, errc::tls_unsupported);
    EXPECT_NE(c.err().message.find("stunnel"), std::string::npos) << c.err().message;
    EXPECT_EQ(c.err().message.find("pw"), std::string::npos);
  }
}

TEST(ValkeyUrl, RejectsMalformed) {
  for (auto url : {"", "http://h:1", "unix:///tmp/redis.sock", "redis://", "redis://:6379",
                   "redis://u:p@", "redis://h:", "redis://h:0", "redis://h:65536", "redis://h:abc",
                   "redis://h:-1", "redis://h:1/x", "redis://h:1/-1", "redis://h:1/99999999999",
                   "redis://h:1/0?timeout=1", "redis://h:1#frag", "redis://[::1]x"}) {
    auto c = parse_url(url);
    ASSERT_FALSE(c) << url;
    EXPECT_EQ(c.err().code, errc::bad_url) << url;
  }
}

TEST(ValkeyUrl, ErrorsNeverQuoteThePassword) {
  auto c = parse_url("redis://u:topsecret@h:notaport");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.err().message.find("topsecret"), std::string::npos) << c.err().message;
}

TEST(ValkeyUrl, RedactedForm) {
  auto c = parse_url("redis://app:s3cret@10.0.0.1:6390/4");
  ASSERT_TRUE(c);
  EXPECT_EQ(redacted_url(*c), "redis://app:***@10.0.0.1:6390/4");
  EXPECT_EQ(redacted_url(parse_ok("redis://[::1]")), "redis://[::1]:6379");
  // The redacted form of a password-less config parses back to the same.
  const auto back = parse_ok(redacted_url(parse_ok("redis://h:7/3")));
  EXPECT_EQ(back.host, "h");
  EXPECT_EQ(back.port, 7);
  EXPECT_EQ(back.db, 3);
}

} // namespace
} // namespace taskmesh::valkey
