// File: tests/cluster/cluster_fixture.cpp
// The shared fixture and checks declared in cluster_fixture.hpp.
#include "tests/cluster/cluster_fixture.hpp"

#include <iostream>
#include <stdexcept>

namespace taskmesh::cluster_it {

taskmesh_cluster& ClusterTest::start(cluster_options options) {
  cluster_.reset();
  cluster_ = std::make_unique<taskmesh_cluster>(binary(), std::move(options));
  return *cluster_;
}

void ClusterTest::TearDown() {
  if (HasFailure() && cluster_)
    std::cerr << "---- log tails of the cluster (prefix " << cluster_->subject_prefix()
              << ") ----\n"
              << cluster_->log_tail() << "---- end of logs ----\n";
}

std::vector<std::string> submit_many(http_client& c, std::string_view task, std::size_t n,
                                     std::size_t batch) {
  std::vector<std::string> ids;
  ids.reserve(n);
  while (ids.size() < n) {
    const auto k = std::min(batch, n - ids.size());
    const auto got = submit_batch(c, repeat_batch(task, k));
    ids.insert(ids.end(), got.begin(), got.end());
  }
  return ids;
}

std::map<std::string, json::object> wait_all_terminal(http_client& c,
                                                      const std::vector<std::string>& ids,
                                                      std::chrono::milliseconds timeout) {
  std::map<std::string, json::object> done;
  std::size_t next = 0;
  json::object last;
  // Ids in submission order finish roughly in order: resume at the first
  // unfinished one instead of re-reading finished records.
  const bool all = wait_until(
    [&] {
      while (next < ids.size()) {
        last = get_task(c, ids[next]);
        if (!is_terminal(str(last, "status")))
          return false;
        done.emplace(ids[next], last);
        ++next;
      }
      return true;
    },
    timeout, std::chrono::milliseconds(50));
  if (!all)
    throw std::runtime_error(std::to_string(next) + " of " + std::to_string(ids.size()) +
                             " tasks terminal after " + std::to_string(timeout.count()) +
                             " ms; first unfinished: " + json::serialize(last));
  return done;
}

std::size_t redelivered(const std::map<std::string, json::object>& records) {
  std::size_t n = 0;
  for (const auto& [id, r] : records)
    n += num(r, "attempts") >= 2;
  return n;
}

json::object idle_stats(http_client& c, std::int64_t terminal, std::chrono::milliseconds timeout) {
  json::object s;
  const bool idle = wait_until(
    [&] {
      s = get_stats(c);
      return num(s, "succeeded") + num(s, "failed") + num(s, "dead") + num(s, "cancelled") >=
               terminal &&
             num(s, "queue_backlog_length") == 0 && num(s, "in_flight") == 0;
    },
    timeout, std::chrono::milliseconds(100));
  if (!idle)
    throw std::runtime_error("cluster not idle with " + std::to_string(terminal) +
                             " tasks terminal within " + std::to_string(timeout.count()) +
                             " ms; last /stats: " + json::serialize(s));
  return fresh_cluster_stats(c);
}

::testing::AssertionResult counted_once(const json::object& s, std::int64_t tasks,
                                        std::string_view outcome) {
  std::string wrong;
  auto expect = [&](std::string_view key, std::int64_t want) {
    const auto got = num(s, key);
    if (got != want)
      wrong += " " + std::string(key) + "=" + std::to_string(got) + " (want " +
               std::to_string(want) + ")";
  };
  expect("submitted", tasks);
  for (const char* o : {"succeeded", "failed", "dead"})
    expect(o, o == outcome ? tasks : 0);
  expect("worker_processed_count", tasks);
  expect("valkey_keys_count", tasks);
  expect("queue_backlog_length", 0);
  expect("in_flight", 0);
  if (wrong.empty())
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "for " << tasks << " distinct accepted tasks, all "
                                       << outcome << ":" << wrong
                                       << "\n/stats: " << json::serialize(s);
}

double pod_metric(taskmesh_process& p, std::string_view name) {
  try {
    auto c = p.new_client(std::chrono::seconds(2));
    const auto r = c.get("/metrics");
    return r.status == 200 ? metric_sum(r.body, name) : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

::testing::AssertionResult all_ready_status(taskmesh_cluster& k, unsigned status,
                                            std::chrono::milliseconds timeout) {
  std::string pending;
  const bool ok = wait_until(
    [&] {
      pending.clear();
      for (auto* p : k.processes())
        if (const auto got = p->ready_status(std::chrono::milliseconds(500)); got != status)
          pending += " " + p->name() + "=" + std::to_string(got);
      return pending.empty();
    },
    timeout, std::chrono::milliseconds(50));
  if (ok)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "/health/ready not " << status << " within "
                                       << timeout.count() << " ms:" << pending;
}

std::unique_ptr<nats::connection> nats_admin(taskmesh_cluster& k) {
  nats::connection_options o;
  o.servers = k.nats_url();
  o.name = "taskmesh-cluster-test";
  o.connect_timeout = std::chrono::milliseconds(500);
  o.reconnect_wait = std::chrono::milliseconds(50);
  o.api_timeout = std::chrono::seconds(2);
  o.retry_on_failed_connect = false;
  auto c = nats::connection::open(o);
  if (!c)
    throw std::runtime_error("test's NATS connection to " + k.nats_url() + ": " +
                             nats::to_string(c.err()));
  return std::move(*c);
}

} // namespace taskmesh::cluster_it
