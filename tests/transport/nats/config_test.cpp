// File: tests/transport/nats/config_test.cpp
// No server needed: config bounds, the server-list split, natsOptions built
// from every auth/TLS option (TLS files really loaded), and the error
// mapping (natsStatus -> error_code + last-error text).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "transport/nats/connection.hpp"
#include "transport/nats/nats_config.hpp"
#include "transport/nats/nats_error.hpp"

namespace taskmesh::nats_test {
namespace {

namespace fs = std::filesystem;
using namespace taskmesh::nats;

// A self-signed P-256 certificate (CN=taskmesh-test, valid until 2126) and
// its key: enough for nats.c to load a CA file and a client chain.
constexpr const char* test_cert = R"(-----BEGIN CERTIFICATE-----
MIIBhzCCAS2gAwIBAgIUd8AdNLXuSqIcNo6zkQC+F7yWyrEwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNdGFza21lc2gtdGVzdDAgFw0yNjExMjIwMjU3NDVaGA8yMTI2
MTAyOTAyNTc0NVowGDEWMBQGA1UEAwwNdGFza21lc2gtdGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABPPxmjzDZj/Rw77FY7EEuXUe9nZUCUfHqFMKRtpHpyfw
FV8+I13dAgr5aOUYaHsqCI9BbVYiIrmR/InflmBxFoyjUzBRMB0GA1UdDgQWBBQv
hmlaRH5PDy+dgEg1gia+tq8JbjAfBgNVHSMEGDAWgBQvhmlaRH5PDy+dgEg1gia+
tq8JbjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQC3xQ56T7b1
3Sdo9esxKC+DPMaxgbEvzjVWtgD70cJtqAIgPeZyvDFkfz74iTt+tb+zw5/pHITF
FWTGAaMaeemev8w=
-----END CERTIFICATE-----
)";
constexpr const char* test_key = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1/2yZJDOQDJXLFDw
hzVIJMqPT730wVL2ggmlcVVGUKuhRANCAATz8Zo8w2Y/0cO+xWOxBLl1HvZ2VAlH
x6hTCkbaR6cn8BVfPiNd3QIK+WjlGGh7KgiPQW1WIiK5kfyJ35ZgcRaM
-----END PRIVATE KEY-----
)";

class temp_dir {
public:
  temp_dir() {
    std::string t = (fs::temp_directory_path() / "taskmesh-natscfg-XXXXXX").string();
    path_ = ::mkdtemp(t.data()) ? t : std::string();
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = (fs::path(path_) / name).string();
    std::ofstream(p) << text;
    return p;
  }

private:
  std::string path_;
};

TEST(NatsConfig, DefaultsAreValid) { EXPECT_EQ(validate(nats_config{}), ""); }

TEST(NatsConfig, ValidateNamesTheOffendingField) {
  nats_config cfg;
  cfg.stream.replicas = 0;
  EXPECT_EQ(validate(cfg).rfind("stream_replicas", 0), 0u) << validate(cfg);
  cfg = {};
  cfg.consumer.max_batch = max_fetch_batch + 1;
  EXPECT_EQ(validate(cfg).rfind("max_batch", 0), 0u);
  cfg = {};
  cfg.consumer.max_ack_pending = 10;
  cfg.consumer.max_batch = 11; // a batch larger than MaxAckPending can never be filled
  EXPECT_EQ(validate(cfg).rfind("max_batch", 0), 0u);
  cfg = {};
  cfg.stream.subject_prefix = "task.*";
  EXPECT_EQ(validate(cfg).rfind("subject_prefix", 0), 0u);
  cfg = {};
  cfg.stream.name = "TASKS.X";
  EXPECT_EQ(validate(cfg).rfind("stream name", 0), 0u);
  cfg = {};
  cfg.connection.servers = " , ";
  EXPECT_EQ(validate(cfg).rfind("servers", 0), 0u);
  cfg = {};
  cfg.connection.tls.cert_file = "c.pem";
  EXPECT_EQ(validate(cfg).rfind("tls", 0), 0u);
}

TEST(NatsConfig, SubjectsAndNamesDeriveFromPrefixAndStream) {
  stream_options s;
  s.name = "JOBS";
  s.subject_prefix = "acme.prod";
  EXPECT_EQ(s.high_subject(), "acme.prod.tasks.high");
  EXPECT_EQ(s.normal_subject(), "acme.prod.tasks.normal");
  EXPECT_EQ(s.dead_subject(), "acme.prod.tasks.dead");
  EXPECT_EQ(s.dead_stream(), "JOBS_DEAD");
  consumer_options c;
  EXPECT_EQ(c.high_durable(), "taskmesh_high");
  EXPECT_EQ(c.normal_durable(), "taskmesh_normal");
}

TEST(NatsConfig, SplitServersTrimsAndDropsEmpties) {
  EXPECT_EQ(split_servers(" nats://a:4222, nats://b:4222 ,,nats://c:1 "),
            (std::vector<std::string>{"nats://a:4222", "nats://b:4222", "nats://c:1"}));
  EXPECT_TRUE(split_servers("").empty());
  EXPECT_TRUE(split_servers(" , ").empty());
}

TEST(NatsOptions, BuildsWithEveryAuthAndTlsOption) {
  temp_dir dir;
  connection_options o;
  o.servers = "nats://127.0.0.1:4222,tls://127.0.0.1:4223";
  o.user = "worker";
  o.password = "secret";
  o.creds_file = dir.write("user.creds", "-----BEGIN NATS USER JWT-----\nx\n------END NATS USER JWT------\n");
  o.tls.enabled = true;
  o.tls.ca_file = dir.write("ca.pem", test_cert);
  o.tls.cert_file = dir.write("cert.pem", test_cert);
  o.tls.key_file = dir.write("key.pem", test_key);
  o.tls.expected_hostname = "taskmesh-test";
  auto built = build_options(o);
  ASSERT_TRUE(built) << to_string(built.err());
  EXPECT_NE(built->get(), nullptr);

  connection_options t;
  t.token = "s3cr3t";
  auto with_token = build_options(t);
  EXPECT_TRUE(with_token) << to_string(with_token.err());
}

TEST(NatsOptions, MissingCaFileFailsWhenBuildingNotWhenConnecting) {
  connection_options o;
  o.tls.enabled = true;
  o.tls.ca_file = "/nonexistent/taskmesh-ca.pem";
  auto built = build_options(o);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.err().code.category(), nats_category());
  EXPECT_NE(to_string(built.err()).find("taskmesh-ca.pem"), std::string::npos)
    << to_string(built.err());
}

TEST(NatsOptions, KeyThatDoesNotMatchTheCertificateFails) {
  temp_dir dir;
  connection_options o;
  o.tls.enabled = true;
  o.tls.cert_file = dir.write("cert.pem", test_cert);
  o.tls.key_file = dir.write("key.pem", "not a key\n");
  EXPECT_FALSE(build_options(o));
}

TEST(NatsOptions, NoServerUrlIsAnError) {
  connection_options o;
  o.servers = ",";
  auto built = build_options(o);
  ASSERT_FALSE(built);
  EXPECT_TRUE(built.err().is(NATS_INVALID_ARG));
}

TEST(NatsError, StatusMapsToCategoryAndText) {
  EXPECT_FALSE(from_status(NATS_OK));
  const auto e = from_status(NATS_TIMEOUT, static_cast<jsErrCode>(10058));
  ASSERT_TRUE(e);
  EXPECT_STREQ(e.code.category().name(), "nats");
  EXPECT_EQ(e.code.value(), static_cast<int>(NATS_TIMEOUT));
  EXPECT_EQ(e.code.message(), natsStatus_GetText(NATS_TIMEOUT));
  EXPECT_EQ(e.js_code, 10058);
  EXPECT_TRUE(e.is(NATS_TIMEOUT));
  EXPECT_NE(to_string(e).find("(js 10058)"), std::string::npos);
  EXPECT_EQ(to_string(error{}), "ok");
}

TEST(NatsError, ResultHoldsValueOrError) {
  result<int> ok = 7;
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 7);
  result<int> bad = make_error(NATS_NOT_FOUND, "missing");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.err().is(NATS_NOT_FOUND));
  EXPECT_EQ(bad.err().text, "missing");
}

} // namespace
} // namespace taskmesh::nats_test
