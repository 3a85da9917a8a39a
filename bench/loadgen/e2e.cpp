// File: bench/loadgen/e2e.cpp
#include "bench/loadgen/e2e.hpp"

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "bench/loadgen/e2e_parse.hpp"
#include "bench/loadgen/e2e_poll.hpp"
#include "bench/loadgen/load_loops.hpp"
#include "bench/loadgen/request_builder.hpp"
#include "bench/loadgen/reservoir.hpp"
#include "bench/loadgen/runner.hpp"

namespace taskmesh::loadgen {

namespace asio = boost::asio;

double e2e_result::submit_rate() const noexcept {
  return submit_s > 0 ? static_cast<double>(tasks_accepted) / submit_s : 0;
}
double e2e_result::tasks_rate() const noexcept {
  return total_s > 0 ? static_cast<double>(tasks_accepted) / total_s : 0;
}

namespace {

double seconds(steady::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::optional<terminal_counts> read_stats(single_client& client, std::uint64_t& polls) {
  ++polls;
  const auto r = client.get("/stats");
  if (r.error || r.status != 200) return std::nullopt;
  return parse_stats_terminal(r.body);
}

struct submit_state {
  explicit submit_state(std::size_t sample) : ids(sample) {}
  thread_state load;
  reservoir<std::string> ids;
  std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t tasks_sent = 0;
  std::uint64_t accepted = 0;
  std::uint64_t unparsed = 0;
};

// N tasks as `requests` requests of `per_request` tasks, the last one
// carrying the remainder.
struct submit_plan {
  std::uint64_t requests = 0;
  std::size_t per_request = 1;
  std::size_t last_size = 1;
  std::string full; // serialized request of per_request tasks
  std::string last; // serialized request of last_size tasks
};

submit_plan plan_submit(const load_config& cfg) {
  const bool batched = cfg.target == target_kind::tasks;
  submit_plan p;
  p.per_request = batched ? std::max<std::size_t>(cfg.batch, 1) : 1;
  p.requests = (cfg.tasks + p.per_request - 1) / p.per_request;
  p.last_size = static_cast<std::size_t>(cfg.tasks - (p.requests - 1) * p.per_request);
  const std::string host = host_header(cfg.host, cfg.port);
  const std::string path = !cfg.path.empty() ? cfg.path : batched ? "/tasks" : "/task";
  const std::string method = cfg.method.empty() ? "POST" : cfg.method;
  auto body = [&](std::size_t n) {
    return batched ? batch_body(cfg.op, cfg.payload_bytes, n)
                   : task_body(cfg.op, cfg.payload_bytes);
  };
  p.full = serialize_request(method, path, host, body(p.per_request));
  p.last = serialize_request(method, path, host, body(p.last_size));
  return p;
}

// One connection of the submit phase: claim the next request index, send,
// keep the returned ids in the thread's sample.
asio::awaitable<void> submit_loop(body_context ctx, const submit_plan& plan, submit_state& st,
                                  std::atomic<std::uint64_t>& next) {
  st.load.start = ctx.start;
  for (;;) {
    const std::uint64_t i = next.fetch_add(1, std::memory_order_relaxed);
    if (i >= plan.requests) break;
    const bool is_last = i + 1 == plan.requests;
    st.tasks_sent += is_last ? plan.last_size : plan.per_request;
    const auto sent = steady::now();
    auto r = co_await ctx.conn.exchange(is_last ? plan.last : plan.full, true);
    record_exchange(st.load, r, sent, steady::now());
    if (r.error || r.status < 200 || r.status > 299) continue;
    auto ids = parse_accepted_ids(r.body);
    if (!ids) {
      ++st.unparsed;
      continue;
    }
    st.accepted += ids->size();
    for (auto& id : *ids) st.ids.offer(std::move(id), st.rng);
  }
}

// Phase 2: returns the merged sample of accepted ids and the shared start.
std::vector<std::string> submit_all(const endpoints& eps, const load_config& cfg, e2e_result& out,
                                    steady::time_point& start) {
  const submit_plan plan = plan_submit(cfg);
  const int threads = effective_threads(cfg.threads, cfg.connections);
  std::vector<submit_state> states;
  states.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) states.emplace_back(cfg.sample);
  std::atomic<std::uint64_t> next{0};
  run_connections(eps, threads, cfg.connections, cfg.timeout, [&](body_context ctx) {
    return submit_loop(ctx, plan, states[static_cast<std::size_t>(ctx.thread)], next);
  });

  reservoir<std::string> sample(cfg.sample);
  std::mt19937_64 rng{std::random_device{}()};
  steady::time_point last_done{};
  for (auto& st : states) {
    out.submit.merge(st.load.stats);
    out.tasks_submitted += st.tasks_sent;
    out.tasks_accepted += st.accepted;
    out.unparsed_answers += st.unparsed;
    last_done = std::max(last_done, st.load.last_done);
    sample.merge(std::move(st.ids), rng);
  }
  start = states.front().load.start;
  out.submit_requests = plan.requests;
  out.submit_s = last_done > start ? seconds(last_done - start) : 0;
  return std::move(sample.items());
}

// Phase 3 + 4 over the sample: read records until all are terminal or the
// deadline passes. Returns when everything sampled was seen terminal.
std::optional<steady::time_point> settle_sample(const endpoints& eps, const load_config& cfg,
                                                const std::vector<std::string>& ids,
                                                steady::time_point deadline, e2e_result& out) {
  std::vector<std::string> pending = ids;
  std::vector<polled_record> done;
  std::optional<steady::time_point> all_terminal_at;
  out.sample = {};
  out.sample.size = ids.size();
  for (;;) {
    const auto records = fetch_records(eps, cfg, pending, out.poll_requests);
    const auto observed = steady::now();
    std::vector<std::string> still;
    std::uint64_t unreadable = 0;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (records[i] && records[i]->terminal())
        done.push_back(*records[i]);
      else {
        if (!records[i]) ++unreadable;
        still.push_back(std::move(pending[i]));
      }
    }
    pending = std::move(still);
    if (pending.empty()) {
      all_terminal_at = observed;
      break;
    }
    if (observed + cfg.poll_interval > deadline) {
      out.sample.unreadable = unreadable;
      out.sample.unfinished = pending.size() - unreadable;
      break;
    }
    std::this_thread::sleep_for(cfg.poll_interval);
  }
  for (const auto& r : done) {
    if (r.status == "succeeded")
      ++out.sample.succeeded;
    else if (r.status == "failed")
      ++out.sample.failed;
    else
      ++out.sample.dead;
    if (r.submitted_at_us && r.finished_at_us)
      out.latency_us.record(static_cast<std::uint64_t>(
          std::max<std::int64_t>(0, *r.finished_at_us - *r.submitted_at_us)));
  }
  return all_terminal_at;
}

// Phase 3: polls /stats until the terminal counters have advanced by the
// number of accepted tasks; returns when that was observed.
std::optional<steady::time_point>
wait_for_stats(single_client& client, const terminal_counts& before, steady::time_point deadline,
               std::chrono::nanoseconds interval, e2e_result& out) {
  for (;;) {
    const auto after = read_stats(client, out.poll_requests);
    const auto observed = steady::now();
    if (after && after->total() >= before.total())
      out.terminal_observed = after->total() - before.total();
    if (out.terminal_observed >= out.tasks_accepted) return observed;
    if (observed + interval > deadline) return std::nullopt;
    std::this_thread::sleep_for(interval);
  }
}

} // namespace

e2e_result run_e2e(const load_config& cfg) {
  return run_e2e(cfg, resolve_and_probe(cfg.host, cfg.port));
}

e2e_result run_e2e(const load_config& cfg, const endpoints& eps) {
  e2e_result out;
  out.poll_interval_s = seconds(cfg.poll_interval);
  single_client stats_client(eps, host_header(cfg.host, cfg.port), cfg.timeout);
  const auto before = read_stats(stats_client, out.poll_requests);

  steady::time_point start{};
  const auto ids = submit_all(eps, cfg, out, start);
  const auto deadline = steady::now() + cfg.e2e_timeout;

  std::optional<steady::time_point> completed_at;
  if (before) {
    out.completion_source = "stats";
    completed_at = wait_for_stats(stats_client, *before, deadline, cfg.poll_interval, out);
    // The records are read for latency only; by now they should be final.
    settle_sample(eps, cfg, ids, completed_at ? steady::now() + cfg.e2e_timeout : deadline, out);
  } else {
    out.completion_source = "sample";
    completed_at = settle_sample(eps, cfg, ids, deadline, out);
    out.terminal_observed = out.sample.succeeded + out.sample.failed + out.sample.dead;
  }
  out.completed = completed_at.has_value();
  out.total_s = seconds((completed_at ? *completed_at : steady::now()) - start);
  return out;
}

} // namespace taskmesh::loadgen
