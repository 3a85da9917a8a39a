// File: tests/cluster/api_crash_test.cpp
// The api pod dies (kill -9) after it answered 202s: the tasks are in
// JetStream, the workers finish them, and a new api pod serves every record.
// Then the harder case: kill -9 while clients are still submitting. Every
// task that got its 202 must still end terminal and be counted once.
#include <atomic>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "tests/cluster/cluster_fixture.hpp"

namespace taskmesh::cluster_it {
namespace {

constexpr const char* delayed_echo = R"({"type":"echo","payload":"a","params":{"delay_ms":200}})";

class ApiCrash : public ClusterTest {
protected:
  void SetUp() override { start(with_flags({"--ack-wait", "2s"})); }
};

TEST_F(ApiCrash, KilledAfterAcceptingNewApiServesEveryTask) {
  constexpr std::size_t tasks = 600;
  const auto ids = submit_many(api(), delayed_echo, tasks);
  cluster().api().kill();
  auto& fresh = cluster().replace_api(0);

  const auto records = wait_all_terminal(fresh.client(), ids, 30s);
  for (const auto& [id, r] : records)
    ASSERT_EQ(str(r, "status"), "succeeded") << json::serialize(r);
  EXPECT_TRUE(counted_once(idle_stats(fresh.client(), tasks), tasks));
}

// Clients send every task with an idempotency key and, like any client
// whose request died with the server, send an unanswered batch again (same
// keys) to the next api pod. Whatever id each key is answered with must
// run: the task accepted once, or a new one.
TEST_F(ApiCrash, KilledWhileClientsSubmitRetriedKeysAllFinish) {
  constexpr int threads = 4;
  constexpr int batch = 50;
  std::mutex m;
  std::vector<std::string> accepted;       // ids from 202s
  std::vector<std::string> unanswered;     // bodies of batches the kill cut off
  std::atomic<bool> stop{false};
  std::atomic<int> batches{0};
  std::vector<std::thread> clients;
  struct joiner { // also on a failed ASSERT
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~joiner() {
      stop = true;
      for (auto& t : threads)
        if (t.joinable())
          t.join();
    }
  } join_clients{stop, clients};
  for (int t = 0; t < threads; ++t)
    clients.emplace_back([&, t] {
      auto c = cluster().api().new_client(5s);
      for (int n = 0; !stop; ++n) {
        std::string body = "[";
        for (int i = 0; i < batch; ++i)
          body += std::string(i ? "," : "") +
                  R"({"type":"echo","payload":"a","params":{"delay_ms":200},"idempotency_key":"k)" +
                  std::to_string(t) + "-" + std::to_string(n) + "-" + std::to_string(i) + "\"}";
        body += "]";
        try {
          const auto r = c.post_json("/tasks", body);
          if (r.status != 202)
            throw std::runtime_error(r.describe());
          const auto v = r.json();
          std::lock_guard lock(m);
          for (const auto& id : v.at("ids").as_array())
            accepted.emplace_back(id.as_string());
          ++batches;
        } catch (const std::exception&) {
          std::lock_guard lock(m);
          unanswered.push_back(body); // the api is gone
          return;
        }
      }
    });
  ASSERT_TRUE(wait_until([&] { return batches >= 8; }, 10s));
  cluster().api().kill();
  for (auto& t : clients)
    t.join();
  auto& fresh = cluster().replace_api(0);

  std::vector<std::string> ids = accepted;
  for (const auto& body : unanswered) {
    const auto got = submit_batch(fresh.client(), body);
    ids.insert(ids.end(), got.begin(), got.end());
  }
  std::cout << accepted.size() << " tasks accepted before the kill, " << unanswered.size()
            << " batches sent again\n";
  const std::set<std::string> distinct(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), ids.size()) << "two keys answered with one id";

  // A kill -9 between the steps of an admission (claim the keys, publish,
  // write the queued records) must leave nothing that never runs: a key
  // claimed but not published is taken over by the retry, with its id.
  const auto records = wait_all_terminal(fresh.client(), ids, 15s);
  for (const auto& [id, r] : records)
    ASSERT_EQ(str(r, "status"), "succeeded") << json::serialize(r);
  const auto s = idle_stats(fresh.client(), static_cast<std::int64_t>(distinct.size()));
  // Tasks whose 202 the kill cut off may have run as well; each key still
  // makes one task, each task one record, counted once.
  EXPECT_EQ(num(s, "submitted"), num(s, "succeeded")) << json::serialize(s);
  EXPECT_EQ(num(s, "worker_processed_count"), num(s, "succeeded")) << json::serialize(s);
  EXPECT_EQ(num(s, "valkey_keys_count"), num(s, "submitted")) << json::serialize(s);
  EXPECT_GE(num(s, "submitted"), static_cast<std::int64_t>(distinct.size()));
}

} // namespace
} // namespace taskmesh::cluster_it
