// File: tests/cluster/events_test.cpp
// Live events and cancel across pods: two api pods and two worker pods. A
// stream opened on either api pod sees every transition the workers make
// (they reach api pods over NATS, not by polling Valkey); a reconnect with
// Last-Event-ID to the OTHER api pod misses nothing; a task cancelled on one
// api pod ends the stream on the other, is counted once cluster-wide, and
// the worker that receives it acknowledges it without running it. Worker
// pods publish events only while some api pod has a stream open, delayed
// tasks included: a stream opened on one shows its progress from the
// Valkey record.
#include <algorithm>
#include <functional>

#include "tests/cluster/cluster_fixture.hpp"
#include "tests/support/sse_client.hpp"
#include "transport/nats/connection.hpp"

namespace taskmesh::cluster_it {
namespace {

using test_support::sse_client;

class ClusterEvents : public ClusterTest {
protected:
  void SetUp() override {
    auto o = with_flags({"--retry-base-delay", "50ms"});
    o.apis = 2;
    start(o);
  }
  sse_client stream(std::size_t api, const std::string& id, const test_support::header_list& h = {}) {
    sse_client s{cluster().api(api).port(), "/task/" + id + "/events", h};
    if (s.head().status != 200)
      throw std::runtime_error("stream on api " + std::to_string(api) + ": " + s.head().describe());
    return s;
  }
};

std::string statuses(const std::vector<test_support::sse_event>& events) {
  std::string out;
  for (const auto& e : events)
    if (e.event == "status")
      out += (out.empty() ? "" : " ") + e.id + ":" + str(e.json(), "status");
  return out;
}

TEST_F(ClusterEvents, BothApiPodsSeeEveryTransition) {
  const auto id = submit(api(), R"({"type":"fail","payload":"x","params":{"transient":true,"times":1,"delay_ms":400}})");
  auto on_first = stream(0, id);
  auto on_second = stream(1, id);
  const auto a = on_first.rest(20s);
  const auto b = on_second.rest(20s);
  const std::string tail = "5:running 6:queued 9:running 11:succeeded";
  for (const auto* events : {&a, &b}) {
    const auto seen = statuses(*events);
    EXPECT_TRUE(seen == tail || seen == "0:queued " + tail) << seen;
    EXPECT_EQ(events->back().json().at("result"), json::parse(R"({"attempt":2})"));
  }
}

TEST_F(ClusterEvents, ReconnectToTheOtherApiPodMissesNothing) {
  const auto id = submit(api(), R"({"type":"fail","payload":"x","params":{"transient":true,"times":1,"delay_ms":400}})");
  std::string first_id;
  {
    auto s = stream(0, id);
    const auto first = s.next();
    ASSERT_TRUE(first);
    first_id = first->id;
  }
  wait_terminal(api(), id, 20s);
  auto again = stream(1, id, {{"Last-Event-ID", first_id}});
  const auto rest = again.rest();
  const std::string all = "0:queued 5:running 6:queued 9:running 11:succeeded";
  const auto after = all.substr(all.find(first_id + ":"));
  EXPECT_EQ(statuses(rest), after.substr(after.find(' ') + 1)) << "after id " << first_id;
}

TEST_F(ClusterEvents, CancelOnOneApiPodEndsTheStreamOnTheOther) {
  const auto id = submit(api(), R"({"type":"wordcount","payload":"a b","params":{"delay_ms":3000}})");
  auto watching = stream(1, id);
  ASSERT_TRUE(watching.next());
  const auto r = api().request("DELETE", "/task/" + id);
  ASSERT_EQ(r.status, 200u) << r.describe();
  EXPECT_EQ(str(r.json().as_object(), "status"), "cancelled");
  const auto rest = watching.rest(10s);
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(str(rest.back().json(), "status"), "cancelled");
  // Counted once, cluster-wide; the record stays cancelled after the delay.
  const auto stats = idle_stats(api(), 1);
  EXPECT_EQ(num(stats, "cancelled"), 1) << json::serialize(stats);
  EXPECT_EQ(num(stats, "succeeded"), 0) << json::serialize(stats);
  EXPECT_EQ(str(get_task(api(), id), "status"), "cancelled");
  EXPECT_TRUE(is_error(api().request("DELETE", "/task/" + id), 409, "not_cancellable"));
}

// The messages on <prefix>.events, read by a subscriber of the test's own.
class event_tap {
public:
  explicit event_tap(taskmesh_cluster& c) {
    nats::connection_options o;
    o.servers = c.nats_url();
    o.name = "events-test";
    o.retry_on_failed_connect = false;
    auto conn = nats::connection::open(o);
    if (!conn)
      throw std::runtime_error("nats: " + nats::to_string(conn.err()));
    conn_ = std::move(*conn);
    const auto subject = c.subject_prefix() + ".events";
    if (natsConnection_SubscribeSync(&sub_, conn_->raw(), subject.c_str()) != NATS_OK ||
        natsConnection_FlushTimeout(conn_->raw(), 5000) != NATS_OK)
      throw std::runtime_error("could not subscribe to " + subject);
  }
  ~event_tap() { natsSubscription_Destroy(sub_); }
  event_tap(const event_tap&) = delete;
  event_tap& operator=(const event_tap&) = delete;

  // The bodies delivered since the last call, one per message (a flush
  // first: what the server routed to us before now is here).
  std::vector<std::string> messages() {
    (void)natsConnection_FlushTimeout(conn_->raw(), 5000);
    std::vector<std::string> out;
    natsMsg* m = nullptr;
    while (natsSubscription_NextMsg(&m, sub_, 1) == NATS_OK) {
      out.emplace_back(natsMsg_GetData(m), static_cast<std::size_t>(natsMsg_GetDataLength(m)));
      natsMsg_Destroy(m);
    }
    return out;
  }
  // The same, concatenated.
  std::string drain() {
    std::string out;
    for (const auto& m : messages())
      out += m;
    return out;
  }
  // The records published since the last call (each message is an array).
  std::vector<json::object> records() {
    std::vector<json::object> out;
    for (const auto& m : messages()) {
      const auto body = json::parse(m);
      for (const auto& r : body.as_array())
        out.push_back(r.as_object());
    }
    return out;
  }

private:
  std::unique_ptr<nats::connection> conn_;
  natsSubscription* sub_ = nullptr;
};

// Worker pods publish their changes only while an api pod has a live
// stream open (P:events:watched in Valkey): nobody pays for events nobody
// reads.
TEST_F(ClusterEvents, WorkersPublishEventsOnlyWhileAStreamIsOpen) {
  event_tap tap{cluster()};
  const auto run_plain_tasks = [&] {
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i)
      ids.push_back(submit(api(), R"({"type":"wordcount","payload":"a b"})"));
    for (const auto& id : ids)
      wait_terminal(api(), id, 20s);
    return ids;
  };
  const auto unwatched = run_plain_tasks();
  EXPECT_EQ(tap.drain(), "") << "events went out while nobody watched";

  const auto slow = submit(api(), R"({"type":"echo","payload":"x","params":{"delay_ms":60000}})");
  auto watching = stream(1, slow);
  ASSERT_TRUE(watching.next());
  const auto watched = run_plain_tasks();
  // A worker pod publishes a task's event after writing its record, through
  // its own NATS connection's buffer: a task GET already shows as finished
  // may have its event still on the way. So wait for the events, and look
  // for the unwatched tasks' events in everything that came meanwhile.
  std::string published;
  const auto all_published = [&] {
    published += tap.drain();
    return std::all_of(watched.begin(), watched.end(),
                       [&](const std::string& id) { return published.find(id) != std::string::npos; });
  };
  EXPECT_TRUE(wait_until(all_published, 10s)) << "tasks went unpublished during a stream: " << published;
  for (const auto& id : unwatched)
    EXPECT_EQ(published.find(id), std::string::npos) << id;
}

// A delayed task is no exception: its start is not published while nobody
// watches. A stream opened while it waits still shows its progress, counted
// from the attempt's start: the Valkey record the stream starts from holds
// the delay and that start. The task's later events are published (the
// stream watches now), by the same worker pod after the running one would
// have been, so seeing them means a running event would have arrived too.
TEST_F(ClusterEvents, ADelayedTaskIsPublishedOnlyWhileWatchedYetItsStreamShowsProgress) {
  event_tap tap{cluster()};
  const auto id = submit(api(), R"({"type":"echo","payload":"x","params":{"delay_ms":4000}})");
  ASSERT_TRUE(wait_until([&] { return str(get_task(api(), id), "status") == "running"; }, 10s));

  auto watching = stream(1, id);
  const auto events = watching.rest(20s);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(statuses(events), "5:running 7:succeeded");
  std::vector<std::int64_t> progress;
  for (const auto& e : events)
    if (e.event == "progress")
      progress.push_back(num(e.json(), "progress"));
  // Rising while the delay runs, which takes the attempt's start: counted
  // from 0 (1970), progress would not move.
  ASSERT_GE(progress.size(), 2u) << "progress did not move while the delay ran";
  EXPECT_TRUE(std::adjacent_find(progress.begin(), progress.end(), std::greater_equal<>{}) ==
              progress.end())
    << "progress did not rise";

  std::vector<std::string> published; // statuses of this task's events on NATS
  ASSERT_TRUE(wait_until([&] {
    for (const auto& r : tap.records())
      if (str(r, "id") == id)
        published.push_back(str(r, "status"));
    return !published.empty() && published.back() == "succeeded";
  }, 10s)) << "the terminal event, published while the stream watched, never came";
  EXPECT_EQ(published, std::vector<std::string>{"succeeded"})
    << "the running event went out while nobody watched";
}

class ClusterCancel : public ClusterTest {};

// Ops run on the worker pods, as their processing histograms count them.
double ops_run(taskmesh_cluster& c) {
  double total = 0;
  for (std::size_t i = 0; i < c.worker_count(); ++i) {
    http_client w{c.worker(i).port()};
    total += std::max(0.0, metric_sum(w.get("/metrics").body, "taskmesh_task_processing_seconds_count"));
  }
  return total;
}

// A task still in JetStream when it is cancelled: the worker pod that
// fetches it acks it without running it.
TEST_F(ClusterCancel, WorkerAcksACancelledTaskWithoutRunningIt) {
  // One task in flight per worker pod: two delayed blockers hold both, so
  // the next task waits in JetStream until one of them is done.
  start(with_flags({"--max-in-flight", "1"}));
  std::vector<std::string> blockers;
  for (int i = 0; i < 2; ++i)
    blockers.push_back(submit(api(), R"({"type":"echo","payload":"x","params":{"delay_ms":1500}})"));
  ASSERT_TRUE(wait_until([&] {
    for (const auto& b : blockers)
      if (str(get_task(api(), b), "status") != "running")
        return false;
    return true;
  }, 10s));
  const auto id = submit(api(), R"({"type":"sha256","payload":"never"})");
  const auto r = api().request("DELETE", "/task/" + id);
  ASSERT_EQ(r.status, 200u) << r.describe();
  const auto stats = idle_stats(api(), 3);
  EXPECT_EQ(num(stats, "cancelled"), 1) << json::serialize(stats);
  EXPECT_EQ(num(stats, "succeeded"), 2) << json::serialize(stats);
  EXPECT_EQ(num(sub(sub(stats, "by_type"), "sha256"), "succeeded"), 0);
  EXPECT_EQ(str(get_task(api(), id), "status"), "cancelled");
  EXPECT_EQ(ops_run(cluster()), 2) << "the cancelled task's op ran";
}

} // namespace
} // namespace taskmesh::cluster_it
