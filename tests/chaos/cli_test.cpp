// File: tests/chaos/cli_test.cpp
// taskmesh-verify's flags: defaults, several --url, durations, thresholds,
// the token file, and the exit status of bad flags and --help.
#include <gtest/gtest.h>

#include <fstream>

#include "chaos/verify/cli.hpp"
#include "tests/support/process.hpp"

namespace taskmesh::verify {
namespace {

using namespace std::chrono_literals;

std::variant<cli_options, cli_exit> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "taskmesh-verify");
  return parse_cli(static_cast<int>(args.size()), args.data());
}

TEST(VerifyCli, ParsesEveryFlag) {
  const auto dir = test_support::make_temp_dir("verify-cli");
  const std::string token_file = dir + "/token";
  std::ofstream(token_file) << "s3cret \n";
  const auto r = parse({"--url", "http://10.0.0.1:8080", "--url", "http://api-2", "--rate", "250",
                        "-c", "8", "--steady", "5s", "--fault", "1m", "--recover", "1500ms",
                        "--valkey", "redis://v:6379", "--prefix", "tm", "--shared",
                        "--auth-token-file", token_file.c_str(), "--max-p99-during-ms", "250",
                        "--max-recovery-s", "30", "--max-failed", "0"});
  ASSERT_TRUE(std::holds_alternative<cli_options>(r)) << std::get<cli_exit>(r).text;
  const auto& c = std::get<cli_options>(r).config;
  ASSERT_EQ(c.apis.size(), 2u);
  EXPECT_EQ(c.apis[0].host, "10.0.0.1");
  EXPECT_EQ(c.apis[1].port, "80");
  EXPECT_EQ(c.rate, 250);
  EXPECT_EQ(c.connections, 8);
  EXPECT_EQ(c.steady, 5s);
  EXPECT_EQ(c.fault, 60s);
  EXPECT_EQ(c.recover, 1500ms);
  EXPECT_EQ(c.valkey_url, "redis://v:6379");
  EXPECT_EQ(c.key_prefix, "tm");
  EXPECT_FALSE(c.exclusive);
  EXPECT_EQ(c.auth_token, "s3cret");
  EXPECT_EQ(c.limits.max_p99_during_ms, 250.0);
  EXPECT_EQ(c.limits.max_recovery_s, 30.0);
  EXPECT_EQ(c.limits.max_failed, 0u);
}

TEST(VerifyCli, TakesATokenFromTheApisTokensFile) {
  const auto dir = test_support::make_temp_dir("verify-cli");
  const std::string file = dir + "/tokens";
  std::ofstream(file) << "# tenants\n\nacme:tok-acme\nglobex:tok:globex\n";
  auto r = parse({"--auth-tokens-file", file.c_str()});
  ASSERT_TRUE(std::holds_alternative<cli_options>(r)) << std::get<cli_exit>(r).text;
  EXPECT_EQ(std::get<cli_options>(r).config.auth_token, "tok-acme");
  r = parse({"--auth-tokens-file", file.c_str(), "--tenant", "globex"});
  ASSERT_TRUE(std::holds_alternative<cli_options>(r)) << std::get<cli_exit>(r).text;
  EXPECT_EQ(std::get<cli_options>(r).config.auth_token, "tok:globex");
  r = parse({"--auth-tokens-file", file.c_str(), "--tenant", "initech"});
  ASSERT_TRUE(std::holds_alternative<cli_exit>(r));
  EXPECT_NE(std::get<cli_exit>(r).text.find("initech"), std::string::npos);
}

TEST(VerifyCli, BadFlagsExit2NamingTheFlag) {
  for (auto args : std::vector<std::vector<const char*>>{{"--steady", "soon"},
                                                         {"--url", "https://x"},
                                                         {"--rate", "0"},
                                                         {"--auth-token-file", "/nonexistent/t"},
                                                         {"--bogus"}}) {
    const auto r = parse(args);
    ASSERT_TRUE(std::holds_alternative<cli_exit>(r)) << args[0];
    EXPECT_EQ(std::get<cli_exit>(r).code, 2) << args[0];
  }
  const auto steady = parse({"--steady", "soon"});
  EXPECT_NE(std::get<cli_exit>(steady).text.find("--steady"), std::string::npos);
}

TEST(VerifyCli, HelpExits0) {
  const auto r = parse({"--help"});
  ASSERT_TRUE(std::holds_alternative<cli_exit>(r));
  EXPECT_EQ(std::get<cli_exit>(r).code, 0);
  EXPECT_NE(std::get<cli_exit>(r).text.find("Exit status"), std::string::npos);
}

} // namespace
} // namespace taskmesh::verify
