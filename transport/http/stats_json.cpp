// File: transport/http/stats_json.cpp
// The /stats object. valkey_keys_count / queue_backlog_length /
// worker_processed_count keep the names operators know from the cluster
// mode's dashboards.
#include "transport/http/stats_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

namespace taskmesh::http {
namespace {


// Boost.JSON writes doubles as "1.74E-1"; operators read "0.174". Same JSON,
// friendlier numbers: shortest round-trip form via to_chars.
void write_json(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : v.get_object()) {
        if (!first)
          out.push_back(',');
        first = false;
        out += boost::json::serialize(boost::json::string_view{key});
        out.push_back(':');
        write_json(value, out);
      }
      out.push_back('}');
      break;
    }
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& value : v.get_array()) {
        if (!first)
          out.push_back(',');
        first = false;
        write_json(value, out);
      }
      out.push_back(']');
      break;
    }
    case boost::json::kind::double_: {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double());
      out.append(buf, end);
      break;
    }
    default:
      out += boost::json::serialize(v);
  }
}

boost::json::object latency_json(const latency_summary& l) {
  return {{"p50", l.p50_ms}, {"p99", l.p99_ms}, {"samples", l.samples}};
}

boost::json::object tally_json(const op_tally& t) {
  return {{"submitted", t.submitted}, {"succeeded", t.succeeded}, {"failed", t.failed},
          {"dead", t.dead}, {"retried", t.retried}, {"cancelled", t.cancelled}};
}

} // namespace

boost::json::object stats_object(const stats_snapshot& s) {
  boost::json::object by_type;
  for (const auto& [name, tally] : s.by_type)
    by_type[name] = tally_json(tally);
  const auto terminal = s.succeeded + s.failed + s.dead;
  boost::json::object o{
    {"mode", s.mode},
    {"valkey_keys_count", s.records},
    {"queue_backlog_length", s.backlog},
    {"backlog_by_lane", boost::json::object{{"high", s.backlog_high},
                                            {"normal", std::max<std::int64_t>(0, s.backlog - s.backlog_high)}}},
    {"worker_processed_count", terminal},
    {"submitted", s.submitted},
    {"succeeded", s.succeeded},
    {"failed", s.failed},
    {"dead", s.dead},
    {"retried", s.retried},
    {"cancelled", s.cancelled},
    {"in_flight", s.in_flight},
    {"workers", s.workers},
    {"worker_utilization", s.worker_utilization},
    {"uptime_s", std::round(s.uptime_s * 1000) / 1000},
    {"by_type", std::move(by_type)},
    {"queue_wait_ms", latency_json(s.queue_wait)},
    {"processing_ms", latency_json(s.processing)},
  };
  if (s.mode == "cluster") {
    boost::json::array pods;
    for (const auto& id : s.worker_pods)
      pods.emplace_back(id);
    o["worker_pods"] = std::move(pods);
  }
  return o;
}

std::string stats_json(const stats_snapshot& s) {
  return json_text(stats_object(s));
}

std::string json_text(const boost::json::value& v) {
  std::string out;
  out.reserve(2048);
  write_json(v, out);
  return out;
}


} // namespace taskmesh::http
