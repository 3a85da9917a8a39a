// File: chaos/verify/submitter.cpp
#include "chaos/verify/submitter.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bench/loadgen/e2e_parse.hpp"
#include "bench/loadgen/open_loop_schedule.hpp"
#include "chaos/verify/task_plan.hpp"

namespace taskmesh::verify {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::uint64_t slot_count(const verify_config& cfg) {
  const auto total = cfg.steady + cfg.fault + cfg.recover;
  return static_cast<std::uint64_t>(std::llround(cfg.rate * std::chrono::duration<double>(total).count()));
}

// 408 and 429 may pass; any other 4xx (bad token, bad body) never will.
bool hopeless(unsigned status) { return status >= 400 && status < 500 && status != 408 && status != 429; }

struct run_state {
  const verify_config& cfg;
  const api_set& apis;
  phase_signal& signal;
  std::ostream& progress;
  loadgen::open_loop_schedule schedule;
  load_record rec;
  std::uint64_t retrying = 0; // slots whose first try failed and that are not settled yet
  int connections_left = 0;
  asio::steady_timer* progress_timer = nullptr; // cancelled when the last connection is done

  std::int64_t us_since_start(steady::time_point t) const {
    return std::chrono::duration_cast<std::chrono::microseconds>(t - rec.start).count();
  }

  void settle(slot_outcome& s, steady::time_point done) {
    s.answered_us = us_since_start(done);
    const auto p = phase_at(cfg, std::chrono::microseconds(s.intended_us));
    rec.latency_us[std::min<std::size_t>(static_cast<std::size_t>(p), 2)].record(
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, s.answered_us - s.intended_us)));
    if (!s.id.empty()) {
      const auto second = static_cast<std::size_t>(s.answered_us / 1'000'000);
      if (rec.accepted_per_s.size() <= second) rec.accepted_per_s.resize(second + 1, 0);
      ++rec.accepted_per_s[second];
    }
  }
};

asio::awaitable<void> submit_slots(run_state& st, int conn_index) {
  auto ex = co_await asio::this_coro::executor;
  api_link link(ex, st.apis, static_cast<std::size_t>(conn_index), st.cfg.request_timeout,
                st.cfg.auth_token);
  asio::steady_timer timer(ex);
  const auto n = st.rec.slots.size();
  for (std::uint64_t k = 0;; ++k) {
    const std::uint64_t g = st.schedule.slot(conn_index, k);
    if (g >= n) break;
    slot_outcome& s = st.rec.slots[g];
    const auto intended = st.rec.start + st.schedule.intended(g);
    s.intended_us = st.us_since_start(intended);
    if (steady::now() < intended) {
      timer.expires_at(intended);
      co_await timer.async_wait(use_tuple);
    }
    const planned_task task = plan_task(st.cfg.run_id, g);
    const auto give_up = intended + st.cfg.retry_for;
    bool retried = false;
    for (;;) {
      const auto r = co_await link.exchange("POST", "/task", task.body);
      ++s.tries;
      if (r.error) {
        ++st.rec.transport_errors[static_cast<std::size_t>(*r.error)];
      } else {
        s.status = r.status;
        ++st.rec.responses[r.status];
        if (r.status == 202 || r.status == 200) {
          if (auto ids = loadgen::parse_accepted_ids(r.body); ids && ids->size() == 1)
            s.id = ids->front();
          else
            s.rejected = true; // an answer that names no task: count it as refused
          break;
        }
        if (hopeless(r.status)) {
          s.rejected = true;
          break;
        }
      }
      if (!retried) {
        retried = true;
        ++st.retrying;
      }
      if (steady::now() >= give_up) break;
      timer.expires_after(std::min<std::chrono::milliseconds>(50ms * (1 << std::min(s.tries - 1, 5u)), 1s));
      co_await timer.async_wait(use_tuple);
    }
    if (retried) --st.retrying;
    st.settle(s, steady::now());
  }
  if (--st.connections_left == 0 && st.progress_timer) st.progress_timer->cancel();
}

asio::awaitable<void> announce_phases(run_state& st) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const std::pair<phase, std::chrono::milliseconds> marks[] = {
    {phase::fault, st.cfg.steady}, {phase::recover, st.cfg.steady + st.cfg.fault}};
  for (const auto& [p, at] : marks) {
    timer.expires_at(st.rec.start + at);
    co_await timer.async_wait(use_tuple);
    st.progress << "verify: phase=" << to_string(p) << " t="
                << std::chrono::duration<double>(at).count() << "s" << std::endl;
    st.signal.enter(p);
  }
}

asio::awaitable<void> report_progress(run_state& st) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  st.progress_timer = &timer;
  while (st.connections_left > 0) {
    timer.expires_after(st.cfg.progress_every);
    co_await timer.async_wait(use_tuple);
    if (st.connections_left == 0) break;
    const auto now = steady::now() - st.rec.start;
    const auto due = std::min<std::uint64_t>(
      st.schedule.first_slot_at(std::chrono::duration_cast<std::chrono::nanoseconds>(now)),
      st.rec.slots.size());
    std::uint64_t unavailable = 0;
    for (const auto& [status, count] : st.rec.responses)
      if (status >= 500) unavailable += count;
    st.progress << "verify: t=" << std::chrono::duration_cast<std::chrono::seconds>(now).count()
                << "s phase=" << to_string(phase_at(st.cfg, now)) << " due=" << due
                << " accepted=" << st.rec.accepted() << " retrying=" << st.retrying
                << " 5xx=" << unavailable << " transport_errors=" << st.rec.transport_error_count()
                << std::endl;
  }
}

} // namespace

load_record submit_load(const verify_config& cfg, const api_set& apis, phase_signal& signal,
                        std::ostream& progress) {
  run_state st{cfg, apis, signal, progress, loadgen::open_loop_schedule(cfg.rate, cfg.connections),
               {}};
  st.rec.slots.resize(slot_count(cfg));
  st.connections_left = cfg.connections;
  asio::io_context ioc(1);
  st.rec.start = steady::now();
  st.rec.start_unix_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  const auto rethrow = [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  };
  for (int c = 0; c < cfg.connections; ++c)
    asio::co_spawn(ioc, submit_slots(st, c), rethrow);
  asio::co_spawn(ioc, announce_phases(st), rethrow);
  asio::co_spawn(ioc, report_progress(st), rethrow);
  ioc.run();
  return std::move(st.rec);
}

} // namespace taskmesh::verify
