// File: chaos/verify/verifier.cpp
#include "chaos/verify/verifier.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "chaos/verify/submitter.hpp"
#include "chaos/verify/task_plan.hpp"

namespace taskmesh::verify {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// One GET /stats; `last` keeps the newest terminal counters. (A free
// function: a lambda coroutine would outlive its captures.)
asio::awaitable<void> get_stats(api_link& link, std::optional<loadgen::terminal_counts>& last) {
  const auto r = co_await link.exchange("GET", "/stats", "");
  if (!r.error && r.status == 200)
    if (auto t = loadgen::parse_stats_terminal(r.body)) last = t;
}

// GET /stats from any api until one answers with terminal counters, or
// `patience` passes; `good_enough` may ask for more (counters caught up).
template <class Pred>
std::optional<loadgen::terminal_counts> read_stats(const verify_config& cfg, const api_set& apis,
                                                   std::chrono::milliseconds patience,
                                                   Pred good_enough) {
  const auto deadline = steady::now() + patience;
  std::optional<loadgen::terminal_counts> last;
  asio::io_context ioc(1);
  api_link link(ioc.get_executor(), apis, 0, cfg.request_timeout, cfg.auth_token);
  for (;;) {
    asio::co_spawn(ioc, get_stats(link, last), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    ioc.restart();
    ioc.run();
    if ((last && good_enough(*last)) || steady::now() >= deadline) return last;
    asio::steady_timer pause(ioc, 250ms); // /stats is cached for up to 1 s per pod
    pause.wait();
  }
}

} // namespace

verifier::verifier(verify_config cfg) : cfg_(std::move(cfg)) {
  if (cfg_.run_id.empty()) cfg_.run_id = random_run_id();
}

run_result verifier::run(std::ostream& progress) {
  const api_set apis(cfg_.apis);
  const auto before = read_stats(cfg_, apis, 10s, [](const auto&) { return true; });
  if (!before) throw setup_error("no api answered GET /stats with task counters within 10 s");
  progress << "verify: run=" << cfg_.run_id << " rate=" << cfg_.rate << "/s phases="
           << cfg_.steady.count() / 1000.0 << "s/" << cfg_.fault.count() / 1000.0 << "s/"
           << cfg_.recover.count() / 1000.0 << "s phase=steady" << std::endl;

  const load_record rec = submit_load(cfg_, apis, signal_, progress);
  signal_.enter(phase::settle);
  std::vector<std::size_t> slots;
  std::vector<std::string> ids;
  for (std::size_t g = 0; g < rec.slots.size(); ++g)
    if (!rec.slots[g].id.empty()) {
      slots.push_back(g);
      ids.push_back(rec.slots[g].id);
    }
  const auto views = settle_tasks(cfg_, apis, ids, progress);

  std::optional<execution_counts> counts;
  if (!cfg_.valkey_url.empty()) counts = read_execution_counts(cfg_.valkey_url, cfg_.key_prefix, ids);

  std::uint64_t terminal = 0;
  for (const auto& v : views)
    if (v.terminal()) ++terminal;
  std::optional<stats_terminal> stats;
  const auto after = read_stats(cfg_, apis, 5s, [&](const loadgen::terminal_counts& t) {
    return t.total() - before->total() >= terminal;
  });
  if (after) stats = stats_terminal{*before, *after};

  run_result out;
  out.figures = judge(cfg_, rec, slots, views, counts, stats);
  out.json = to_json(cfg_, out.figures);
  signal_.enter(phase::done);
  return out;
}

} // namespace taskmesh::verify
