// File: chaos/local/server_faults_test.cpp
// Faults of the servers taskmesh depends on, under steady load (see
// scenario.hpp): restart nats-server (kill -9, start on the same file
// store); restart redis-server (kill -9, start on the same AOF); stop
// redis-server for a while (workers hold their acks: nothing is lost and
// nothing dead-lettered); fill the task stream to its bound (the api
// answers 503, the verifier retries the same keys, all get in once the
// workers drain it).
#include "chaos/local/scenario.hpp"

#include <csignal>

#include "transport/nats/connection.hpp"
#include "transport/nats/stream_setup.hpp"

namespace taskmesh::chaos_local {
namespace {

TEST_F(ChaosScenario, NatsServerRestarted) {
  auto& k = start(base_options());
  run_with_fault("restart nats-server", current_form().window(2s, 10s), {[&] {
                   k.nats().kill();
                   k.nats().start();
                 },
                                                                        {}});
}

TEST_F(ChaosScenario, RedisServerRestarted) {
  auto& k = start(base_options());
  run_with_fault("restart redis-server", current_form().window(2s, 10s),
                 {[&] { k.redis().restart(); }, {}});
}

TEST_F(ChaosScenario, RedisServerStoppedForAWhile) {
  auto& k = start(base_options());
  const auto s = run_with_fault("stop redis-server", current_form().window(6s, 30s),
                                {[&] { k.redis().stop(); }, [&] { k.redis().start(); }});
  EXPECT_EQ(s.dead, 0u) << "an outage of Valkey must not dead-letter tasks";
  EXPECT_EQ(s.failed, 0u);
}

TEST_F(ChaosScenario, StreamFilledToItsBound) {
  auto& k = start(base_options());
  // Bound the stream as an operator would (the pods set no bound of their
  // own); the workers stop pulling while the load goes on, so it fills.
  nats::connection_options co;
  co.servers = k.nats_url();
  co.name = "taskmesh-chaos-local";
  co.retry_on_failed_connect = false;
  auto admin = nats::connection::open(co);
  ASSERT_TRUE(admin) << nats::to_string(admin.err());
  nats::stream_options bound;
  bound.subject_prefix = k.subject_prefix();
  bound.max_msgs = static_cast<std::int64_t>(current_form().rate * 2); // two seconds of load
  ASSERT_FALSE(nats::ensure_streams(**admin, bound));

  const auto s = run_with_fault("fill the stream to its bound", current_form().window(5s, 20s),
                                {[&] {
                                   k.worker(0).pause();
                                   k.worker(1).pause();
                                 },
                                 [&] {
                                   k.worker(0).resume();
                                   k.worker(1).resume();
                                 }});
  EXPECT_GT(s.unavailable, 0u) << "the full stream must have answered 503";
  EXPECT_EQ(s.refused, 0u) << "every retried key must get in once the stream drains";
}

} // namespace
} // namespace taskmesh::chaos_local
