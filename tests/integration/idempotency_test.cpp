// File: tests/integration/idempotency_test.cpp
// idempotency_key: a repeat answers 200 with the original id, its current
// status and "duplicate": true, and never creates a second task, even when
// the repeats race each other.
#include <mutex>
#include <set>
#include <thread>

#include "tests/integration/fixture.hpp"

namespace taskmesh::it {
namespace {

class Idempotency : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({"--workers", "2"}); }
};

TEST_F(Idempotency, RepeatReturnsOriginalWithoutNewTask) {
  const std::string body = R"({"payload":"once","idempotency_key":"order-1"})";
  const auto id = submit(client(), body);
  wait_for_status(client(), id, "succeeded");
  const auto before = fresh_stats(client());

  const auto r = client().post_json("/task", body);
  ASSERT_EQ(r.status, 200u) << r.describe();
  const auto v = r.json().as_object();
  EXPECT_EQ(str(v, "id"), id) << r.body;
  EXPECT_EQ(str(v, "status"), "succeeded") << r.body;
  ASSERT_TRUE(v.contains("duplicate")) << r.body;
  EXPECT_EQ(v.at("duplicate"), json::value(true)) << r.body;

  const auto after = fresh_stats(client());
  EXPECT_EQ(num(after, "submitted"), num(before, "submitted"))
    << "a duplicate created a task\nbefore: " << json::serialize(before)
    << "\nafter: " << json::serialize(after);
}

TEST_F(Idempotency, DuplicateReportsCurrentStatus) {
  const std::string body = R"({"payload":"slow","idempotency_key":"order-2",)"
                           R"("params":{"delay_ms":400}})";
  const auto id = submit(client(), body);
  auto r = client().post_json("/task", body);
  ASSERT_EQ(r.status, 200u) << r.describe();
  const auto early = str(r.json().as_object(), "status");
  EXPECT_TRUE(early == "queued" || early == "running") << r.body;

  wait_for_status(client(), id, "succeeded");
  r = client().post_json("/task", body);
  ASSERT_EQ(r.status, 200u) << r.describe();
  EXPECT_EQ(str(r.json().as_object(), "status"), "succeeded") << r.body;
  EXPECT_EQ(str(r.json().as_object(), "id"), id) << r.body;
}

TEST_F(Idempotency, DifferentKeysMakeDifferentTasks) {
  const auto a = submit(client(), R"({"payload":1,"idempotency_key":"k-a"})");
  const auto b = submit(client(), R"({"payload":1,"idempotency_key":"k-b"})");
  const auto c = submit(client(), R"({"payload":1})");
  const auto d = submit(client(), R"({"payload":1})");
  EXPECT_EQ(std::set<std::string>({a, b, c, d}).size(), 4u) << "tasks without a key never dedupe";
}

TEST_F(Idempotency, KeyOf128CharsIsAccepted) {
  const std::string key(128, 'q');
  const auto body = R"({"payload":1,"idempotency_key":")" + key + R"("})";
  const auto id = submit(client(), body);
  const auto r = client().post_json("/task", body);
  EXPECT_EQ(r.status, 200u) << r.describe();
  EXPECT_EQ(str(r.json().as_object(), "id"), id) << r.body;
}

TEST_F(Idempotency, ConcurrentRepeatsCreateOneTask) {
  const auto before = num(fresh_stats(client()), "submitted");
  const std::string body = R"({"payload":"race","idempotency_key":"race-1"})";
  std::mutex m;
  std::vector<std::pair<unsigned, std::string>> answers; // status, id
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      try {
        auto c = server().new_client();
        for (int i = 0; i < 5; ++i) {
          const auto r = c.post_json("/task", body);
          const auto id = std::string(r.json().at("id").as_string());
          std::lock_guard lock(m);
          answers.emplace_back(r.status, id);
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(m);
        errors.emplace_back(e.what());
      }
    });
  for (auto& t : threads)
    t.join();
  ASSERT_TRUE(errors.empty()) << errors.front();
  ASSERT_EQ(answers.size(), 40u);
  int created = 0;
  std::set<std::string> ids;
  for (const auto& [status, id] : answers) {
    EXPECT_TRUE(status == 202 || status == 200) << status;
    created += status == 202;
    ids.insert(id);
  }
  EXPECT_EQ(created, 1) << "202 must be answered exactly once";
  EXPECT_EQ(ids.size(), 1u) << "every answer must carry the one id";
  EXPECT_EQ(num(fresh_stats(client()), "submitted") - before, 1);
}

} // namespace
} // namespace taskmesh::it
