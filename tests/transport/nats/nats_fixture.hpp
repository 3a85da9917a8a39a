// File: tests/transport/nats/nats_fixture.hpp
// NatsTest: one fresh nats-server per test, a connection to it, the TASKS
// streams and both consumers provisioned, and helpers to publish and to
// bind consumers. Timings are short (AckWait 500 ms, reconnect 50 ms) so
// redelivery and restart tests take about a second.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/transport/nats/nats_server.hpp"
#include "transport/nats/connection.hpp"
#include "transport/nats/publisher.hpp"
#include "transport/nats/pull_consumer.hpp"
#include "transport/nats/stream_setup.hpp"

namespace taskmesh::nats_test {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

inline long long ms_since(clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t).count();
}

// Polls `pred` every 5 ms until true or `timeout`; returns the last answer.
template <class Pred>
bool eventually(Pred&& pred, std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    if (pred())
      return true;
    if (clock::now() >= deadline)
      return pred();
    std::this_thread::sleep_for(5ms);
  }
}

inline nats::nats_config test_config(const std::string& url) {
  nats::nats_config cfg;
  cfg.connection.servers = url;
  cfg.connection.name = "taskmesh-test";
  cfg.connection.connect_timeout = 500ms;
  cfg.connection.reconnect_wait = 50ms;
  cfg.connection.ping_interval = 1s;
  cfg.connection.api_timeout = 2s;
  cfg.consumer.ack_wait = 500ms;
  cfg.consumer.max_ack_pending = 1024;
  cfg.publish.ack_timeout = 1s;
  return cfg;
}

class NatsTest : public ::testing::Test {
protected:
  void SetUp() override {
    try {
      server_ = std::make_unique<nats_server>();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
    cfg_ = test_config(server_->url());
    auto c = nats::connection::open(cfg_.connection);
    ASSERT_TRUE(c) << nats::to_string(c.err());
    conn_ = std::move(*c);
    ASSERT_TRUE(conn_->connected());
    auto e = nats::ensure_streams(*conn_, cfg_.stream);
    ASSERT_FALSE(e) << nats::to_string(e);
    e = nats::ensure_consumers(*conn_, cfg_.stream, cfg_.consumer);
    ASSERT_FALSE(e) << nats::to_string(e);
  }

  std::unique_ptr<nats::pull_consumer> bind(const std::string& durable) {
    auto c = nats::pull_consumer::bind(*conn_, cfg_.stream.name, durable, cfg_.consumer.max_batch);
    EXPECT_TRUE(c) << nats::to_string(c.err());
    return c ? std::move(*c) : nullptr;
  }
  std::unique_ptr<nats::pull_consumer> bind_high() { return bind(cfg_.consumer.high_durable()); }
  std::unique_ptr<nats::pull_consumer> bind_normal() { return bind(cfg_.consumer.normal_durable()); }

  std::unique_ptr<nats::publisher> make_publisher() {
    auto p = nats::publisher::create(*conn_, cfg_.publish);
    EXPECT_TRUE(p) << nats::to_string(p.err());
    return p ? std::move(*p) : nullptr;
  }

  // n messages "<tag>-<i>" with msg ids "<tag>-<i>" and `size`-byte payloads.
  static std::vector<nats::outgoing_message> messages(const std::string& subject,
                                                      const std::string& tag, int n,
                                                      std::size_t size = 16) {
    std::vector<nats::outgoing_message> out(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      auto& m = out[static_cast<std::size_t>(i)];
      m.subject = subject;
      m.msg_id = tag + "-" + std::to_string(i);
      m.payload = m.msg_id;
      m.payload.resize(std::max(size, m.payload.size()), 'x');
    }
    return out;
  }

  // Publishes and expects every message stored.
  void publish_ok(const std::vector<nats::outgoing_message>& batch) {
    auto pub = make_publisher();
    ASSERT_TRUE(pub);
    const auto results = pub->publish_batch(batch);
    for (std::size_t i = 0; i < results.size(); ++i)
      ASSERT_TRUE(results[i].ok()) << i << ": " << nats::to_string(results[i].err);
  }

  nats::consumer_stats stats(const std::string& durable) {
    auto s = nats::consumer_info(*conn_, cfg_.stream.name, durable);
    EXPECT_TRUE(s) << nats::to_string(s.err());
    return s ? *s : nats::consumer_stats{};
  }
  std::uint64_t stream_messages(const std::string& stream) {
    auto s = nats::stream_info(*conn_, stream);
    EXPECT_TRUE(s) << nats::to_string(s.err());
    return s ? s->messages : 0;
  }

  // Declaration order: the connection goes before the server.
  std::unique_ptr<nats_server> server_;
  nats::nats_config cfg_;
  std::unique_ptr<nats::connection> conn_;
};

} // namespace taskmesh::nats_test
