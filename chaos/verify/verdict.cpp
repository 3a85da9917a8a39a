// File: chaos/verify/verdict.cpp
#include "chaos/verify/verdict.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <boost/json/value_from.hpp>

#include "chaos/verify/task_plan.hpp"

namespace taskmesh::verify {

namespace json = boost::json;

namespace {

constexpr double share = 0.9; // "back to 90% of the steady state"
constexpr std::size_t window_s = 3;

phase_latency latency_of(const loadgen::histogram& h) {
  return {h.percentile(50) / 1000.0, h.percentile(99) / 1000.0, h.max() / 1000.0, h.count()};
}

double mean(const std::vector<std::uint64_t>& v, std::size_t from, std::size_t to) {
  if (to <= from) return 0;
  double sum = 0;
  for (std::size_t i = from; i < to; ++i)
    sum += i < v.size() ? static_cast<double>(v[i]) : 0.0;
  return sum / static_cast<double>(to - from);
}

std::size_t whole_seconds(std::chrono::milliseconds d) {
  return static_cast<std::size_t>(d.count() / 1000);
}

// Throughput recovery over 3-second windows of accepted and finished tasks
// per second, against their means over the steady window (its first second,
// the warm-up, left out when the window is long enough).
void judge_recovery(const verify_config& cfg, const std::vector<std::uint64_t>& accepted,
                    const std::vector<std::uint64_t>& finished, summary& s) {
  const std::size_t steady_end = whole_seconds(cfg.steady);
  const std::size_t steady_from = steady_end >= 3 ? 1 : 0;
  const std::size_t load_end = whole_seconds(cfg.steady + cfg.fault + cfg.recover);
  s.steady_accepted_per_s = mean(accepted, steady_from, steady_end);
  s.steady_finished_per_s = mean(finished, steady_from, steady_end);
  const auto healthy = [&](std::size_t t) {
    return mean(accepted, t, t + window_s) >= share * s.steady_accepted_per_s &&
           mean(finished, t, t + window_s) >= share * s.steady_finished_per_s;
  };
  std::optional<std::size_t> back;
  for (std::size_t t = steady_end; t + window_s <= load_end; ++t) {
    if (!healthy(t)) {
      s.dipped = true;
      back.reset();
    } else if (!back) {
      back = t;
    }
  }
  if (!s.dipped) {
    s.recovery_s = 0;
    s.after_heal_s = 0;
  } else if (back) {
    s.recovery_s = static_cast<double>(*back - steady_end);
    const double heal = static_cast<double>(whole_seconds(cfg.steady + cfg.fault));
    s.after_heal_s = std::max(0.0, static_cast<double>(*back) - heal);
  }
}

} // namespace

summary judge(const verify_config& cfg, const load_record& rec,
              const std::vector<std::size_t>& accepted_slots, const std::vector<task_view>& views,
              const std::optional<execution_counts>& counts,
              const std::optional<stats_terminal>& stats) {
  summary s;
  s.planned = rec.slots.size();
  for (const auto& slot : rec.slots) {
    if (slot.tries > 1) ++s.retried_keys;
    if (!slot.id.empty()) ++s.accepted;
    else if (slot.rejected) ++s.rejected;
    else ++s.refused;
  }
  for (const auto& [status, count] : rec.responses)
    if (status >= 500) s.unavailable += count;
  s.transport_errors = rec.transport_error_count();
  std::array<loadgen::histogram, 3> e2e;
  std::vector<std::uint64_t> finished_per_s;
  for (std::size_t k = 0; k < accepted_slots.size(); ++k) {
    const auto& v = views[k];
    const std::uint64_t slot = accepted_slots[k];
    if (!v.terminal()) {
      ++s.lost;
      if (v.last_http == 404) ++s.missing;
      continue;
    }
    if (v.status == "succeeded") ++s.succeeded;
    else if (v.status == "failed") ++s.failed;
    else ++s.dead;
    if (v.attempts > 1) ++s.redelivered;
    if (v.status == "succeeded" && v.result != plan_task(cfg.run_id, slot).expected)
      ++s.wrong_results;
    if (v.submitted_at_us && v.finished_at_us) {
      const auto p = phase_at(cfg, std::chrono::microseconds(rec.slots[slot].intended_us));
      e2e[static_cast<std::size_t>(p)].record(
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, *v.finished_at_us - *v.submitted_at_us)));
      const auto at = *v.finished_at_us - rec.start_unix_us;
      if (at >= 0) {
        const auto second = static_cast<std::size_t>(at / 1'000'000);
        if (finished_per_s.size() <= second) finished_per_s.resize(second + 1, 0);
        ++finished_per_s[second];
      }
    }
  }
  if (counts) {
    s.counters_error = counts->error;
    if (counts->error.empty())
      for (std::size_t k = 0; k < accepted_slots.size(); ++k) {
        const auto& c = counts->by_task[k];
        if (c.executions > 1) ++s.rerun;
        if (c.commits > 1) ++s.executed_twice;
        if (views[k].terminal() && c.commits == 0) ++s.uncounted;
      }
  } else {
    s.counters_error = "no --valkey given";
  }
  if (stats) {
    const std::uint64_t terminal = s.succeeded + s.failed + s.dead;
    s.stats_excess = static_cast<std::int64_t>(stats->after.total() - stats->before.total()) -
                     static_cast<std::int64_t>(terminal);
    if (cfg.exclusive && *s.stats_excess > 0)
      s.executed_twice += static_cast<std::uint64_t>(*s.stats_excess);
  }
  for (std::size_t p = 0; p < 3; ++p) {
    s.submit[p] = latency_of(rec.latency_us[p]);
    s.e2e[p] = latency_of(e2e[p]);
  }
  judge_recovery(cfg, rec.accepted_per_s, finished_per_s, s);
  s.accepted_per_s = rec.accepted_per_s;
  s.finished_per_s = std::move(finished_per_s);

  auto fail = [&](std::string why) { s.failures.push_back(std::move(why)); };
  if (s.accepted == 0) fail("nothing was accepted");
  if (s.lost > 0) fail("lost=" + std::to_string(s.lost));
  if (s.executed_twice > 0) fail("executed_twice=" + std::to_string(s.executed_twice));
  if (s.wrong_results > 0) fail("wrong_results=" + std::to_string(s.wrong_results));
  if (s.rejected > 0) fail("rejected=" + std::to_string(s.rejected) + " (4xx: check url, token, limits)");
  if (s.uncounted > 0) fail("uncounted=" + std::to_string(s.uncounted) + " (finished without a commit counter)");
  if (cfg.exclusive && s.stats_excess && *s.stats_excess < 0)
    fail("stats_missing=" + std::to_string(-*s.stats_excess) + " (finished tasks /stats did not count)");
  const auto& l = cfg.limits;
  if (l.max_p99_during_ms && s.submit[1].p99_ms > *l.max_p99_during_ms)
    fail("p99 during the fault " + std::to_string(s.submit[1].p99_ms) + " ms > " +
         std::to_string(*l.max_p99_during_ms));
  if (l.max_recovery_s && (!s.recovery_s || *s.recovery_s > *l.max_recovery_s))
    fail("recovery " + (s.recovery_s ? std::to_string(*s.recovery_s) + " s" : std::string("never")) +
         " > " + std::to_string(*l.max_recovery_s) + " s");
  if (l.max_failed && s.failed + s.dead > *l.max_failed)
    fail("failed+dead=" + std::to_string(s.failed + s.dead));
  if (l.max_refused && s.refused > *l.max_refused) fail("refused=" + std::to_string(s.refused));
  return s;
}

json::object to_json(const verify_config& cfg, const summary& s) {
  auto lat = [](const phase_latency& p) {
    return json::object{{"p50_ms", p.p50_ms}, {"p99_ms", p.p99_ms}, {"max_ms", p.max_ms},
                        {"samples", p.samples}};
  };
  auto phases = [&](const phase_latency (&p)[3]) {
    return json::object{{"steady", lat(p[0])}, {"fault", lat(p[1])}, {"recover", lat(p[2])}};
  };
  auto opt = [](const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); };
  json::array failures;
  for (const auto& f : s.failures)
    failures.emplace_back(f);
  return json::object{
    {"run_id", cfg.run_id},
    {"rate", cfg.rate},
    {"phases_s", json::object{{"steady", cfg.steady.count() / 1000.0},
                              {"fault", cfg.fault.count() / 1000.0},
                              {"recover", cfg.recover.count() / 1000.0}}},
    {"planned", s.planned},
    {"accepted", s.accepted},
    {"retried_keys", s.retried_keys},
    {"refused", s.refused},
    {"rejected", s.rejected},
    {"unavailable_answers", s.unavailable},
    {"transport_errors", s.transport_errors},
    {"succeeded", s.succeeded},
    {"failed", s.failed},
    {"dead", s.dead},
    {"lost", s.lost},
    {"missing", s.missing},
    {"redelivered", s.redelivered},
    {"rerun", s.rerun},
    {"executed_twice", s.executed_twice},
    {"uncounted", s.uncounted},
    {"stats_excess", s.stats_excess ? json::value(*s.stats_excess) : json::value(nullptr)},
    {"wrong_results", s.wrong_results},
    {"counters", s.counters_error.empty() ? json::value("read") : json::value(s.counters_error)},
    {"submit_latency", phases(s.submit)},
    {"e2e_latency", phases(s.e2e)},
    {"steady_accepted_per_s", s.steady_accepted_per_s},
    {"steady_finished_per_s", s.steady_finished_per_s},
    {"dipped", s.dipped},
    {"accepted_per_s", json::value_from(s.accepted_per_s)},
    {"finished_per_s", json::value_from(s.finished_per_s)},
    {"recovery_s", opt(s.recovery_s)},
    {"after_heal_s", opt(s.after_heal_s)},
    {"verdict", s.failures.empty() ? "PASS" : "FAIL"},
    {"failures", failures},
  };
}

std::string one_line(const summary& s) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(1);
  o << "verdict: " << (s.failures.empty() ? "PASS" : "FAIL") << " accepted=" << s.accepted
    << " succeeded=" << s.succeeded << " failed=" << s.failed << " dead=" << s.dead
    << " lost=" << s.lost << " executed_twice=" << s.executed_twice
    << " wrong_results=" << s.wrong_results << " redelivered=" << s.redelivered
    << " retried_keys=" << s.retried_keys << " 5xx=" << s.unavailable
    << " transport_errors=" << s.transport_errors << " refused=" << s.refused << " p99_ms(steady/fault/recover)="
    << s.submit[0].p99_ms << "/" << s.submit[1].p99_ms << "/" << s.submit[2].p99_ms << " recovery_s=";
  if (s.recovery_s) o << *s.recovery_s;
  else o << "never";
  if (!s.counters_error.empty()) o << " counters=unread";
  for (const auto& f : s.failures)
    o << " [" << f << "]";
  return o.str();
}

} // namespace taskmesh::verify
