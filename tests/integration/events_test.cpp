// File: tests/integration/events_test.cpp
// GET /task/{id}/events and GET /events over real sockets: the order and
// completeness of status events for succeeded, retried and dead tasks,
// progress while a task waits out its delay, Last-Event-ID replay,
// heartbeats, 404s, the stream cap, 1,000 streams at once, readers that
// never read, the /events stats stream, and clean ends on shutdown.
#include <algorithm>
#include <thread>

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "tests/integration/fixture.hpp"
#include "tests/support/sse_client.hpp"
#include "tests/support/tenants.hpp"

namespace taskmesh::it {
namespace {

using test_support::sse_client;
using test_support::sse_event;
namespace asio = boost::asio;

class Events : public integration_test {
protected:
  static void SetUpTestSuite() { start_shared({"--retry-base-delay", "50ms", "--workers", "2"}); }

  sse_client stream(std::string_view id, const test_support::header_list& headers = {}) {
    sse_client s{server().port(), "/task/" + std::string{id} + "/events", headers};
    if (s.head().status != 200)
      throw std::runtime_error("stream for " + std::string{id} + ": " + s.head().describe());
    return s;
  }
};

std::vector<sse_event> only(const std::vector<sse_event>& events, std::string_view name) {
  std::vector<sse_event> out;
  std::copy_if(events.begin(), events.end(), std::back_inserter(out),
               [&](const sse_event& e) { return e.event == name; });
  return out;
}

// "id:status" for each status event, e.g. "5:running 6:queued 11:dead".
std::string transitions(const std::vector<sse_event>& events) {
  std::string out;
  for (const auto& e : only(events, "status"))
    out += (out.empty() ? "" : " ") + e.id + ":" + str(e.json(), "status");
  return out;
}

// The stream opens while the task may still be queued or already waiting
// out its delay: the first event is whichever it is, and from there on
// every transition must come, in order.
void expect_transitions(const std::vector<sse_event>& events, std::string_view after_queued) {
  const auto seen = transitions(events);
  const std::string full = "0:queued " + std::string{after_queued};
  EXPECT_TRUE(seen == full || seen == after_queued) << "seen: " << seen << "\nwanted: " << full;
}

TEST_F(Events, SucceededTaskStreamsEveryTransitionThenEnds) {
  const auto id = submit(client(), R"({"type":"wordcount","payload":"one two three","params":{"delay_ms":600}})");
  auto s = stream(id);
  EXPECT_EQ(s.head().header("Content-Type"), "text/event-stream");
  EXPECT_EQ(s.head().header("Cache-Control"), "no-cache");
  const auto events = s.rest();
  expect_transitions(events, "5:running 7:succeeded");
  ASSERT_TRUE(s.ended());
  const auto last = events.back().json();
  EXPECT_EQ(str(last, "status"), "succeeded");
  EXPECT_EQ(last.at("result"), json::parse(R"({"words":3})"));
  // The terminal event is the record GET /task/{id} shows.
  EXPECT_EQ(last, get_task(client(), id));

  // Progress while waiting: between running and succeeded, rising, 0..100,
  // carrying the running transition's id.
  const auto progress = only(events, "progress");
  ASSERT_GE(progress.size(), 2u) << transitions(events);
  std::int64_t before = -1;
  for (const auto& p : progress) {
    const auto pct = num(p.json(), "progress");
    EXPECT_GT(pct, before);
    EXPECT_LE(pct, 100);
    EXPECT_EQ(p.id, "5");
    EXPECT_EQ(str(p.json(), "id"), id);
    before = pct;
  }
}

TEST_F(Events, FinishedTaskStreamIsItsRecordAlone) {
  const auto t = run_task(client(), R"({"type":"uppercase","payload":"abc"})");
  auto s = stream(str(t, "id"));
  const auto events = s.rest();
  ASSERT_EQ(events.size(), 1u) << transitions(events);
  EXPECT_EQ(events[0].event, "status");
  EXPECT_EQ(events[0].id, "7");
  EXPECT_EQ(events[0].json(), t);
}

TEST_F(Events, RetriedTaskShowsEachAttemptWithItsError) {
  const auto id = submit(client(), R"({"type":"fail","payload":"x","params":{"transient":true,"times":2,"delay_ms":250}})");
  auto s = stream(id);
  const auto events = s.rest(15s);
  expect_transitions(events, "5:running 6:queued 9:running 10:queued 13:running 15:succeeded");
  for (const auto& e : only(events, "status")) {
    const auto r = e.json();
    SCOPED_TRACE(e.data);
    if (e.id == "6" || e.id == "10") {
      EXPECT_NE(str(r, "error").find("transient"), std::string::npos);
      EXPECT_FALSE(r.at("next_attempt_at").is_null());
    }
  }
  EXPECT_EQ(events.back().json().at("result"), json::parse(R"({"attempt":3})"));
}

TEST_F(Events, DeadTaskEndsWithTheLastError) {
  const auto id = submit(client(), R"({"type":"fail","payload":"x","max_attempts":2,"params":{"transient":true,"delay_ms":250}})");
  auto s = stream(id);
  const auto events = s.rest(15s);
  expect_transitions(events, "5:running 6:queued 9:running 11:dead");
  const auto last = events.back().json();
  EXPECT_EQ(str(last, "status"), "dead");
  EXPECT_NE(str(last, "error").find("attempt 2"), std::string::npos) << events.back().data;
}

TEST_F(Events, ReconnectWithLastEventIdMissesNothing) {
  const auto id = submit(client(), R"({"type":"fail","payload":"x","params":{"transient":true,"times":1,"delay_ms":400}})");
  std::string first_id;
  {
    auto s = stream(id);
    const auto first = s.next();
    ASSERT_TRUE(first);
    first_id = first->id;
  } // disconnected: transitions go on without us
  wait_terminal(client(), id);
  auto again = stream(id, {{"Last-Event-ID", first_id}});
  const auto rest = again.rest();
  const std::string all = "0:queued 5:running 6:queued 9:running 11:succeeded";
  const auto tail = all.substr(all.find(first_id + ":") + first_id.size() + 1);
  EXPECT_EQ(transitions(rest), tail.substr(tail.find(' ') + 1)) << "after id " << first_id;
}

TEST_F(Events, UnknownTaskIs404Json) {
  sse_client s{server().port(), "/task/01a2011d-0000-7000-8000-000000000000/events"};
  EXPECT_TRUE(is_error(s.head(), 404, "not_found"));
  sse_client bad{server().port(), "/task/not-a-uuid/events"};
  EXPECT_TRUE(is_error(bad.head(), 404, "not_found"));
}

TEST_F(Events, StatsStreamCarriesStatsAndThroughputEverySecond) {
  sse_client s{server().port(), "/events"};
  ASSERT_EQ(s.head().status, 200u);
  auto first = s.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->event, "stats");
  const auto start = first->json();
  for (const auto* key : {"submitted", "succeeded", "cancelled", "queue_backlog_length", "in_flight"})
    EXPECT_TRUE(start.contains(key)) << key << " missing: " << first->data;
  const auto before = num(start, "submitted");
  submit_batch(client(), repeat_batch(R"({"type":"wordcount","payload":"a"})", 50));
  // Within a few events the counters and the per-second rate show them.
  bool seen = false;
  std::string last_id = first->id;
  for (int i = 0; i < 5 && !seen; ++i) {
    const auto e = s.next(5s);
    ASSERT_TRUE(e);
    EXPECT_GT(std::stoll(e->id), std::stoll(last_id));
    last_id = e->id;
    const auto o = e->json();
    seen = num(o, "submitted") >= before + 50 && real(sub(o, "throughput"), "submitted") > 0;
  }
  EXPECT_TRUE(seen) << "no stats event showed the 50 submissions";
}

TEST_F(Events, IdleStreamSendsHeartbeats) {
  auto& own = start_own({"--stream-heartbeat", "100ms", "--drain-timeout", "100ms"});
  const auto id = submit(own.client(), R"({"type":"echo","payload":"x","params":{"delay_ms":60000}})");
  sse_client s{own.port(), "/task/" + id + "/events"};
  ASSERT_TRUE(s.next());
  // A 60 s delay sends progress once a second; heartbeats fill the gaps.
  ASSERT_TRUE(wait_until([&] {
    (void)s.next(2s);
    return s.heartbeats() >= 3;
  }, 10s)) << s.heartbeats() << " heartbeats";
}

TEST_F(Events, StreamCapAnswers429) {
  EMBEDDED_ONLY("the cap is per process; one process is enough to show it");
  auto& own = start_own({"--max-streams", "2", "--drain-timeout", "100ms"});
  const auto id = submit(own.client(), R"({"type":"echo","payload":"x","params":{"delay_ms":60000}})");
  sse_client a{own.port(), "/task/" + id + "/events"};
  sse_client b{own.port(), "/events"};
  ASSERT_EQ(a.head().status, 200u);
  ASSERT_EQ(b.head().status, 200u);
  sse_client c{own.port(), "/task/" + id + "/events"};
  EXPECT_TRUE(is_error(c.head(), 429, "too_many_streams"));
  EXPECT_EQ(c.head().header("Retry-After"), "1");
  EXPECT_TRUE(still_serving(own.client()));
}

// --max-streams-per-tenant with tokens: a tenant at its cap gets 429 while
// another tenant still opens its streams; without a token, 401.
TEST_F(Events, StreamCapPerTenant) {
  EMBEDDED_ONLY("the caps are per process; one process is enough to show it");
  const test_support::tokens_file tokens{test_support::two_tenants()};
  auto& own = start_own({"--auth-tokens-file", tokens.path(), "--max-streams-per-tenant", "1",
                         "--drain-timeout", "100ms"});
  auto as = [](const std::string& token) {
    return test_support::header_list{{"Authorization", "Bearer " + token}};
  };
  sse_client acme{own.port(), "/events", as(test_support::acme_token)};
  ASSERT_EQ(acme.head().status, 200u) << acme.head().describe();
  sse_client acme_again{own.port(), "/events", as(test_support::acme_token)};
  EXPECT_TRUE(is_error(acme_again.head(), 429, "too_many_streams"));
  sse_client bravo{own.port(), "/events", as(test_support::bravo_token)};
  EXPECT_EQ(bravo.head().status, 200u) << bravo.head().describe();
  sse_client anonymous{own.port(), "/events"};
  EXPECT_EQ(anonymous.head().status, 401u);
}

// 1,000 streams open at once (each has received its first event before the
// tasks run), and every one of them sees its task finish.
TEST_F(Events, ThousandConcurrentStreamsAllComplete) {
  // Each client holds a socket and an io_context (a few descriptors): make
  // room up to the hard limit, which CI runners set high.
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < 8192 && files.rlim_max > files.rlim_cur) {
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, 8192);
    setrlimit(RLIMIT_NOFILE, &files);
  }
  const auto ids = submit_batch(
    client(), repeat_batch(R"({"type":"wordcount","payload":"a b","params":{"delay_ms":4000}})", 1000));
  std::vector<sse_client> streams;
  streams.reserve(ids.size());
  for (const auto& id : ids) {
    streams.push_back(stream(id));
    const auto first = streams.back().next();
    ASSERT_TRUE(first);
    ASSERT_NE(str(first->json(), "status"), "succeeded")
      << "task finished before all streams were open: the machine is too slow for this test";
  }
  for (std::size_t i = 0; i < streams.size(); ++i) {
    const auto rest = streams[i].rest(20s);
    ASSERT_FALSE(rest.empty()) << ids[i];
    EXPECT_EQ(str(rest.back().json(), "status"), "succeeded") << ids[i];
  }
}

// Clients that open streams and never read a byte: they hold connections,
// nothing else; everybody else's streams and requests go on as usual.
TEST_F(Events, ReadersThatNeverReadSlowNobody) {
  std::vector<std::unique_ptr<test_support::raw_connection>> stuck;
  const auto blocker = submit(client(), R"({"type":"echo","payload":"x","params":{"delay_ms":2000}})");
  for (int i = 0; i < 100; ++i) {
    stuck.push_back(std::make_unique<test_support::raw_connection>(server().port()));
    stuck.back()->send((i % 2 ? "GET /events" : "GET /task/" + blocker + "/events") +
                      std::string{" HTTP/1.1\r\nHost: x\r\n\r\n"});
  }
  const auto ids = submit_batch(
    client(), repeat_batch(R"({"type":"sha256","payload":"abc","params":{"delay_ms":100}})", 200));
  std::vector<sse_client> readers;
  for (const auto& id : ids)
    readers.push_back(stream(id));
  for (std::size_t i = 0; i < readers.size(); ++i) {
    const auto rest = readers[i].rest(15s);
    ASSERT_FALSE(rest.empty());
    EXPECT_EQ(str(rest.back().json(), "status"), "succeeded") << ids[i];
  }
  EXPECT_TRUE(still_serving(client()));
  EXPECT_EQ(num(get_stats(client()), "submitted") > 0, true);
}

// A client that opens a stream and never reads, on a stream with a lot to
// send (a 512 KiB result): once it has taken nothing for
// --stream-write-timeout it is dropped, so its slot under --max-streams
// frees within seconds (ordinary responses wait 30 s for a write), while a
// reader beside it gets its events on time throughout.
TEST_F(Events, AReaderThatNeverReadsIsDroppedAtTheStreamWriteTimeout) {
  EMBEDDED_ONLY("the cap that shows the drop is per process; the stream code is the same on api pods");
  auto& own = start_own({"--max-streams", "2", "--stream-write-timeout", "300ms",
                         "--drain-timeout", "100ms"});
  const auto id = submit(own.client(), R"({"type":"echo","payload":")" +
                                         std::string(512 * 1024, 'x') + R"("})");
  ASSERT_EQ(str(wait_terminal(own.client(), id), "status"), "succeeded");

  sse_client reader{own.port(), "/events"};
  ASSERT_EQ(reader.head().status, 200u);
  ASSERT_TRUE(reader.next());

  // The stuck client: a tiny receive buffer, and it never reads a byte.
  asio::io_context io;
  asio::ip::tcp::socket stuck{io};
  stuck.open(asio::ip::tcp::v4());
  stuck.set_option(asio::socket_base::receive_buffer_size(4096));
  stuck.connect({asio::ip::make_address("127.0.0.1"), own.port()});
  const std::string request = "GET /task/" + id + "/events HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(stuck, asio::buffer(request));
  const auto opened = std::chrono::steady_clock::now();

  // Its stream holds the second slot until it is dropped; meanwhile the
  // reader's stats events keep coming, one a second.
  ASSERT_TRUE(wait_until([&] {
    sse_client probe{own.port(), "/events"};
    if (probe.head().status == 200)
      return true;
    EXPECT_TRUE(is_error(probe.head(), 429, "too_many_streams"));
    EXPECT_TRUE(reader.next(3s)) << "the reader's stream stalled beside the stuck one";
    return false;
  }, 10s)) << "the stream of a client that never reads was not dropped";
  EXPECT_LT(ms_since(opened), 10'000);
  EXPECT_TRUE(reader.next(3s));

  // Dropped, not finished (a finished stream frees its slot too): what it
  // can still read (at most 5 s of it) is part of the record, and no last
  // chunk.
  std::string got;
  char buf[65536];
  const auto read_until = std::chrono::steady_clock::now() + 5s;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      read_until - std::chrono::steady_clock::now());
    pollfd readable{stuck.native_handle(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) <= 0)
      break;
    const auto n = ::recv(stuck.native_handle(), buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0)
      break; // the server's close (or an error)
    got.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_LT(got.size(), 512u * 1024);
  EXPECT_FALSE(got.ends_with("\r\n0\r\n\r\n"));
}

TEST_F(Events, ShutdownEndsStreamsCleanly) {
  auto& own = start_own({"--drain-timeout", "100ms"});
  const auto id = submit(own.client(), R"({"type":"echo","payload":"x","params":{"delay_ms":60000}})");
  sse_client task_stream{own.port(), "/task/" + id + "/events"};
  sse_client stats{own.port(), "/events"};
  ASSERT_TRUE(task_stream.next());
  ASSERT_TRUE(stats.next());
  std::thread stopper([&] { own.stop(); });
  // Both end with HTTP's last chunk, not a reset or a timeout.
  EXPECT_NO_THROW((void)task_stream.rest(10s));
  EXPECT_NO_THROW((void)stats.rest(10s));
  stopper.join();
  EXPECT_TRUE(task_stream.ended());
  EXPECT_TRUE(stats.ended());
}

} // namespace
} // namespace taskmesh::it
