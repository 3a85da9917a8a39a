// File: tests/integration/fixture.cpp
// The shared fixture and helpers declared in fixture.hpp.
#include "tests/integration/fixture.hpp"

#include <cmath>
#include <ctime>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace taskmesh::it {

bool cluster_topology() {
  static const bool cluster =
    test_support::topology_from_env() == test_support::topology::cluster;
  return cluster;
}

// --- fixture -------------------------------------------------------------------

void integration_test::start_shared(std::vector<std::string> flags, env_list env) {
  shared_wanted_ = true;
  shared_error_.clear();
  try {
    shared_ = std::make_unique<taskmesh_server>(binary(), std::move(flags), std::move(env));
  } catch (const std::exception& e) {
    shared_error_ = e.what();
  }
}

void integration_test::TearDownTestSuite() {
  shared_.reset();
  shared_wanted_ = false;
  shared_error_.clear();
}

void integration_test::SetUp() {
  if (shared_wanted_ && !shared_)
    FAIL() << "the suite's server did not start: " << shared_error_;
}

namespace {

void print_log(std::string_view whose, taskmesh_server& s) {
  const auto tail = s.log_tail();
  std::cerr << "---- log tail of " << whose << " server (" << to_string(s.kind()) << ", port "
            << s.port() << ") ----\n"
            << (tail.empty() ? "(empty at this log level)" : tail) << "\n---- end of log ----\n";
}

} // namespace

void integration_test::TearDown() {
  if (!HasFailure())
    return;
  if (own_)
    print_log("this test's", *own_);
  if (shared_)
    print_log("the suite's", *shared_);
}

taskmesh_server& integration_test::server() {
  if (own_)
    return *own_;
  if (!shared_)
    throw std::runtime_error("test uses server() but neither the suite nor the test started one");
  return *shared_;
}

taskmesh_server& integration_test::start_own(std::vector<std::string> flags, env_list env) {
  own_.reset();
  own_ = std::make_unique<taskmesh_server>(binary(), std::move(flags), std::move(env));
  return *own_;
}

// --- requests ------------------------------------------------------------------

std::string submit(http_client& c, std::string_view body) {
  const auto r = c.post_json("/task", body);
  if (r.status != 202)
    throw std::runtime_error("POST /task " + std::string(body) + " expected 202, got " +
                             r.describe());
  const auto v = r.json();
  if (!v.is_object() || !v.as_object().contains("id") || !v.at("id").is_string())
    throw std::runtime_error("POST /task: no string id in " + r.describe());
  return std::string(v.at("id").as_string());
}

std::vector<std::string> submit_batch(http_client& c, std::string_view body) {
  const auto r = c.post_json("/tasks", body);
  if (r.status != 202)
    throw std::runtime_error("POST /tasks expected 202, got " + r.describe());
  const auto v = r.json();
  if (!v.is_object() || !v.as_object().contains("ids") || !v.at("ids").is_array())
    throw std::runtime_error("POST /tasks: no ids array in " + r.describe());
  std::vector<std::string> ids;
  for (const auto& id : v.at("ids").as_array()) {
    if (!id.is_string())
      throw std::runtime_error("POST /tasks: non-string id in " + r.describe());
    ids.emplace_back(id.as_string());
  }
  return ids;
}

json::object get_task(http_client& c, std::string_view id) {
  const auto r = c.get("/task/" + std::string(id));
  if (r.status != 200)
    throw std::runtime_error("GET /task/" + std::string(id) + " expected 200, got " +
                             r.describe());
  auto v = r.json();
  if (!v.is_object())
    throw std::runtime_error("GET /task/" + std::string(id) + ": not an object: " + r.describe());
  return std::move(v.as_object());
}

namespace {

// When this process last got a /stats answer from each port (fresh_stats).
std::mutex stats_reads_mutex;
std::map<unsigned short, std::chrono::steady_clock::time_point> stats_reads;

} // namespace

json::object get_stats(http_client& c) {
  const auto r = c.get("/stats");
  {
    std::lock_guard lock(stats_reads_mutex);
    stats_reads[c.port()] = std::chrono::steady_clock::now();
  }
  if (r.status != 200)
    throw std::runtime_error("GET /stats expected 200, got " + r.describe());
  auto v = r.json();
  if (!v.is_object())
    throw std::runtime_error("GET /stats: not an object: " + r.describe());
  return std::move(v.as_object());
}

json::object fresh_stats(http_client& c) {
  return cluster_topology() ? fresh_cluster_stats(c) : get_stats(c);
}

json::object fresh_cluster_stats(http_client& c) {
  std::optional<std::chrono::steady_clock::time_point> last;
  {
    std::lock_guard lock(stats_reads_mutex);
    if (const auto it = stats_reads.find(c.port()); it != stats_reads.end())
      last = it->second;
  }
  // +20 ms: the pod compares its own clock against its last read (">=").
  if (last)
    std::this_thread::sleep_until(*last + stats_cache + std::chrono::milliseconds(20));
  return get_stats(c);
}

json::object wait_for_status(http_client& c, std::string_view id, std::string_view status,
                             std::chrono::milliseconds timeout) {
  json::object last;
  const bool reached = wait_until(
    [&] {
      last = get_task(c, id);
      const auto s = str(last, "status");
      return status == "terminal" ? is_terminal(s) : s == status;
    },
    timeout);
  if (!reached)
    throw std::runtime_error("task " + std::string(id) + " did not reach status " +
                             std::string(status) + " within " + std::to_string(timeout.count()) +
                             " ms; last: " + json::serialize(last));
  return last;
}

json::object run_task(http_client& c, std::string_view body, std::chrono::milliseconds timeout) {
  return wait_terminal(c, submit(c, body), timeout);
}

std::string repeat_batch(std::string_view task, std::size_t n) {
  std::string out = "[";
  for (std::size_t i = 0; i < n; ++i) {
    if (i)
      out += ',';
    out += task;
  }
  return out + "]";
}

// --- reading JSON ----------------------------------------------------------------

namespace {

const json::value& field(const json::object& obj, std::string_view key) {
  const auto* v = obj.if_contains(key);
  if (!v)
    throw std::runtime_error("missing \"" + std::string(key) + "\" in " + json::serialize(obj));
  return *v;
}

} // namespace

std::int64_t num(const json::object& obj, std::string_view key) {
  const auto& v = field(obj, key);
  if (v.is_int64())
    return v.as_int64();
  if (v.is_uint64())
    return static_cast<std::int64_t>(v.as_uint64());
  if (v.is_double() && std::floor(v.as_double()) == v.as_double())
    return static_cast<std::int64_t>(v.as_double());
  throw std::runtime_error("\"" + std::string(key) + "\" is not an integer in " +
                           json::serialize(obj));
}

double real(const json::object& obj, std::string_view key) {
  const auto& v = field(obj, key);
  if (!v.is_number())
    throw std::runtime_error("\"" + std::string(key) + "\" is not a number in " +
                             json::serialize(obj));
  return v.to_number<double>();
}

std::string str(const json::object& obj, std::string_view key) {
  const auto& v = field(obj, key);
  if (!v.is_string())
    throw std::runtime_error("\"" + std::string(key) + "\" is not a string in " +
                             json::serialize(obj));
  return std::string(v.as_string());
}

const json::object& sub(const json::object& obj, std::string_view key) {
  const auto& v = field(obj, key);
  if (!v.is_object())
    throw std::runtime_error("\"" + std::string(key) + "\" is not an object in " +
                             json::serialize(obj));
  return v.as_object();
}

bool is_terminal(std::string_view status) {
  return status == "succeeded" || status == "failed" || status == "dead" || status == "cancelled";
}

double metric_sum(const std::string& text, std::string_view name) {
  std::istringstream in(text);
  std::string line;
  double sum = -1;
  while (std::getline(in, line)) {
    if (!line.starts_with(name) || line.size() == name.size())
      continue;
    const char next = line[name.size()];
    if (next != ' ' && next != '{')
      continue;
    const auto value = line.substr(line.find_last_of(' ') + 1);
    sum = (sum < 0 ? 0 : sum) + std::stod(value);
  }
  return sum;
}

std::int64_t rfc3339_ms(std::string_view text) {
  static const std::regex shape(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
  const std::string s(text);
  if (!std::regex_match(s, shape))
    throw std::runtime_error("not an RFC 3339 UTC timestamp with milliseconds: \"" + s + "\"");
  std::tm tm{};
  int ms = 0;
  std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
              &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000 + ms;
}

std::int64_t ms_between(const json::object& task, std::string_view from, std::string_view to) {
  return rfc3339_ms(str(task, to)) - rfc3339_ms(str(task, from));
}

// --- assertions ------------------------------------------------------------------

::testing::AssertionResult is_error(const http_response& r, unsigned status, std::string_view code,
                                    std::optional<std::string_view> field_name,
                                    bool field_absent) {
  auto fail = [&](std::string_view why) {
    return ::testing::AssertionFailure()
           << why << " (expected HTTP " << status << " code \"" << code << "\""
           << (field_name ? " field \"" + std::string(*field_name) + "\"" : std::string())
           << "); got " << r.describe();
  };
  if (r.status != status)
    return fail("wrong status");
  boost::system::error_code ec;
  const auto v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error") || !v.at("error").is_object())
    return fail("body is not {\"error\":{...}}");
  const auto& e = v.at("error").as_object();
  if (!e.contains("code") || !e.at("code").is_string() || e.at("code").as_string() != code)
    return fail("wrong error.code");
  if (!e.contains("message") || !e.at("message").is_string() ||
      e.at("message").as_string().empty())
    return fail("error.message missing or empty");
  if (field_name) {
    if (!e.contains("field") || !e.at("field").is_string() ||
        e.at("field").as_string() != *field_name)
      return fail("wrong error.field");
  } else if (field_absent && e.contains("field")) {
    return fail("error.field present although no field is at fault");
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult still_serving(http_client& c) {
  try {
    const auto r = c.post_json("/task", R"({"type":"echo","payload":"still serving?"})");
    if (r.status == 202)
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "follow-up POST /task: " << r.describe();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "follow-up POST /task failed: " << e.what();
  }
}

} // namespace taskmesh::it
