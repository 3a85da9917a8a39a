// File: bench/loadgen/e2e_parse.cpp
#include "bench/loadgen/e2e_parse.hpp"

#include <deque>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "bench/loadgen/rfc3339.hpp"

namespace taskmesh::loadgen {

namespace json = boost::json;

namespace {

std::optional<json::value> parse(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> as_count(const json::value& v) {
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
  if (v.is_double() && v.get_double() >= 0) return static_cast<std::uint64_t>(v.get_double());
  return std::nullopt;
}

std::string_view bare_key(std::string_view key) {
  for (std::string_view prefix : {"tasks_", "task_"})
    if (key.starts_with(prefix)) key.remove_prefix(prefix.size());
  if (key.ends_with("_total")) key.remove_suffix(6);
  return key;
}

std::optional<std::int64_t> timestamp_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return parse_rfc3339_us(v->get_string());
}

} // namespace

std::optional<std::vector<std::string>> parse_accepted_ids(std::string_view body) {
  auto v = parse(body);
  if (!v || !v->is_object()) return std::nullopt;
  const auto& o = v->get_object();
  if (const auto* id = o.if_contains("id"); id && id->is_string())
    return std::vector<std::string>{std::string(id->get_string())};
  const auto* ids = o.if_contains("ids");
  if (!ids || !ids->is_array()) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(ids->get_array().size());
  for (const auto& e : ids->get_array()) {
    if (!e.is_string()) return std::nullopt;
    out.emplace_back(e.get_string());
  }
  return out;
}

std::optional<terminal_counts> parse_stats_terminal(std::string_view body) {
  auto v = parse(body);
  if (!v) return std::nullopt;
  std::deque<const json::value*> queue{&*v};
  while (!queue.empty()) {
    const json::value* cur = queue.front();
    queue.pop_front();
    if (cur->is_array()) {
      for (const auto& e : cur->get_array()) queue.push_back(&e);
      continue;
    }
    if (!cur->is_object()) continue;
    terminal_counts counts;
    bool found = false;
    for (const auto& kv : cur->get_object()) {
      const auto key = bare_key(kv.key());
      std::uint64_t* slot = key == "succeeded" ? &counts.succeeded
                            : key == "failed"  ? &counts.failed
                            : key == "dead"    ? &counts.dead
                                               : nullptr;
      if (slot) {
        if (const auto n = as_count(kv.value())) {
          *slot = *n;
          found = true;
          continue;
        }
      }
      queue.push_back(&kv.value());
    }
    if (found) return counts;
  }
  return std::nullopt;
}

bool polled_record::terminal() const noexcept {
  return status == "succeeded" || status == "failed" || status == "dead";
}

std::optional<polled_record> parse_task_record(std::string_view body) {
  auto v = parse(body);
  if (!v || !v->is_object()) return std::nullopt;
  const auto& o = v->get_object();
  const auto* status = o.if_contains("status");
  if (!status || !status->is_string()) return std::nullopt;
  polled_record r;
  r.status = std::string(status->get_string());
  r.submitted_at_us = timestamp_field(o, "submitted_at");
  r.finished_at_us = timestamp_field(o, "finished_at");
  return r;
}

std::string encode_path_segment(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace taskmesh::loadgen
