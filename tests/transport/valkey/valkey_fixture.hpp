// File: tests/transport/valkey/valkey_fixture.hpp
// Fixtures for the tests against a real server: RecordsTest gives each test
// its own redis-server, a client and a task_records on prefix "tm"; the
// helpers build records in a given state.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/wait.hpp"
#include "tests/transport/valkey/redis_server.hpp"
#include "transport/valkey/client.hpp"
#include "transport/valkey/task_records.hpp"

namespace taskmesh::valkey::testing {

using namespace std::chrono_literals;
using test_support::wait_until;

inline task_record make_record(task_status status = task_status::queued,
                               std::uint8_t attempts = 0, timestamp next_attempt_at = 0) {
  task_record r;
  r.id = task_id::generate();
  r.status = status;
  r.attempts = attempts;
  r.max_attempts = 3;
  r.submitted_at = now_us();
  r.next_attempt_at = next_attempt_at;
  if (attempts > 0)
    r.started_at = r.submitted_at + 10;
  if (is_terminal(status)) {
    r.finished_at = r.submitted_at + 20;
    if (status == task_status::succeeded)
      r.result = R"({"words":3})";
    else
      r.error = "boom";
  }
  return r;
}

// The same task in another state (what a worker reports later).
inline task_record advanced(const task_record& base, task_status status, std::uint8_t attempts,
                            timestamp next_attempt_at = 0) {
  task_record r = make_record(status, attempts, next_attempt_at);
  r.id = base.id;
  r.submitted_at = base.submitted_at;
  r.idempotency_key = base.idempotency_key;
  return r;
}

inline std::vector<record_write> writes(const std::vector<task_record>& records,
                                        std::string_view type) {
  std::vector<record_write> out;
  for (const auto& r : records)
    out.push_back({r, type});
  return out;
}

class RecordsTest : public ::testing::Test {
protected:
  void SetUp() override {
    server = std::make_unique<redis_server>(server_options());
    valkey = std::make_unique<client>(server->config());
    records = std::make_unique<task_records>(*valkey, records_options{"tm", 60s, 256});
  }

  virtual redis_server::options server_options() const { return {}; }

  // The operation must succeed; returns its value.
  template <class T>
  static T ok(result<T> r) {
    if (!r) {
      ADD_FAILURE() << "valkey error: " << r.err().code.message() << ": " << r.err().message;
      throw std::runtime_error(r.err().message);
    }
    return std::move(r).value();
  }

  // What cluster intake does per task: claim (keyed tasks only), then, once
  // "published", admit under the claimed id. Returns the claim.
  claim claim_one(const task_record& r) {
    const key_claim k{r.id, r.idempotency_key};
    return ok(records->claim_keys({&k, 1})).at(0);
  }

  task_status admit_one(const task_record& r, std::string_view type = "echo") {
    const record_write w{r, type};
    return ok(records->admit({&w, 1})).at(0);
  }

  std::string idem_value(std::string_view key) {
    return std::string(string_of(server->admin({"GET", "tm:idem:" + std::string(key)}).get())
                         .value_or("(none)"));
  }

  update_outcome update_one(const task_record& r, std::string_view type = "echo") {
    const record_write w{r, type};
    return ok(records->update({&w, 1})).outcomes.at(0);
  }

  stored_record stored(const task_id& id) {
    auto r = ok(records->get(id));
    if (!r)
      throw std::runtime_error("no record for " + id.to_string());
    return *r;
  }

  std::unique_ptr<redis_server> server;
  std::unique_ptr<client> valkey;
  std::unique_ptr<task_records> records;
};

} // namespace taskmesh::valkey::testing
