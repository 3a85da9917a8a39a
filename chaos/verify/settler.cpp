// File: chaos/verify/settler.cpp
#include "chaos/verify/settler.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "bench/loadgen/e2e_parse.hpp"
#include "bench/loadgen/rfc3339.hpp"

namespace taskmesh::verify {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto poll_pause = 200ms; // between rounds over the unfinished ids

std::optional<std::int64_t> time_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (!v || !v->is_string()) return std::nullopt;
  return loadgen::parse_rfc3339_us(v->get_string());
}
// One connection's share of a round: takes the next open id until none is
// left. (A free function, not a capturing lambda: a coroutine's frame keeps
// its parameters, but only a pointer to a lambda's captures.)
asio::awaitable<void> fetch_open(api_link& link, const std::vector<std::string>& ids,
                                 const std::vector<std::size_t>& open, std::size_t& next,
                                 std::vector<task_view>& views) {
  while (next < open.size()) {
    const std::size_t i = open[next++];
    const auto r = co_await link.exchange("GET", "/task/" + loadgen::encode_path_segment(ids[i]), "");
    if (r.error) continue;
    views[i].last_http = r.status;
    if (r.status == 200)
      if (auto t = parse_task_view(r.body)) {
        t->last_http = 200;
        views[i] = std::move(*t);
      }
  }
}

} // namespace

bool task_view::terminal() const noexcept {
  return status == "succeeded" || status == "failed" || status == "dead";
}

std::optional<task_view> parse_task_view(std::string_view body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  const auto* status = o.if_contains("status");
  if (!status || !status->is_string()) return std::nullopt;
  task_view t;
  t.status = std::string(status->get_string());
  if (const auto* a = o.if_contains("attempts"); a && a->is_int64()) t.attempts = a->get_int64();
  if (const auto* m = o.if_contains("max_attempts"); m && m->is_int64())
    t.max_attempts = m->get_int64();
  if (const auto* r = o.if_contains("result")) t.result = *r;
  t.submitted_at_us = time_field(o, "submitted_at");
  t.finished_at_us = time_field(o, "finished_at");
  return t;
}

std::vector<task_view> settle_tasks(const verify_config& cfg, const api_set& apis,
                                    const std::vector<std::string>& ids, std::ostream& progress) {
  std::vector<task_view> views(ids.size());
  std::vector<std::size_t> open(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    open[i] = i;
  const auto start = steady::now();
  const auto deadline = start + cfg.settle_timeout;
  auto last_progress = start;
  asio::io_context ioc(1);
  const int conns = std::max(1, std::min<int>(cfg.connections, static_cast<int>(ids.size())));
  std::vector<std::unique_ptr<api_link>> links;
  for (int c = 0; c < conns; ++c)
    links.push_back(std::make_unique<api_link>(ioc.get_executor(), apis, static_cast<std::size_t>(c),
                                               cfg.request_timeout, cfg.auth_token));
  while (!open.empty()) {
    std::size_t next = 0;
    for (auto& link : links)
      asio::co_spawn(ioc, fetch_open(*link, ids, open, next, views), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
    ioc.restart();
    ioc.run();
    std::erase_if(open, [&](std::size_t i) { return views[i].terminal(); });
    const auto now = steady::now();
    if (now - last_progress >= cfg.progress_every || open.empty()) {
      last_progress = now;
      progress << "verify: phase=settle terminal=" << ids.size() - open.size() << "/" << ids.size()
               << std::endl;
    }
    if (open.empty() || now >= deadline) break;
    asio::steady_timer pause(ioc, poll_pause);
    pause.wait(); // the io_context is idle between rounds: nothing else to serve
  }
  return views;
}

} // namespace taskmesh::verify
