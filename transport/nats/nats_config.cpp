// File: transport/nats/nats_config.cpp
// Bounds checks for nats_config and the server-list split.
#include "transport/nats/nats_config.hpp"

#include <algorithm>

namespace taskmesh::nats {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A NATS name usable as a stream or durable name: no whitespace, no '.',
// no wildcards, no path separators.
bool valid_name(std::string_view s) {
  return !s.empty() && std::none_of(s.begin(), s.end(), [](char c) {
    return is_space(c) || c == '.' || c == '*' || c == '>' || c == '/' || c == '\\';
  });
}

// Dot-separated tokens without wildcards or whitespace.
bool valid_subject_prefix(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != s.npos)
    return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return is_space(c) || c == '*' || c == '>'; });
}

} // namespace

std::vector<std::string> split_servers(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && is_space(item.front()))
      item.remove_prefix(1);
    while (!item.empty() && is_space(item.back()))
      item.remove_suffix(1);
    if (!item.empty())
      out.emplace_back(item);
    if (comma == list.npos)
      break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

std::string validate(const nats_config& cfg) {
  const auto& c = cfg.connection;
  if (split_servers(c.servers).empty())
    return "servers: no server URL";
  if (c.connect_timeout.count() <= 0)
    return "connect_timeout: must be > 0";
  if (c.reconnect_wait.count() < 0)
    return "reconnect_wait: must be >= 0";
  if (c.max_reconnect < -1)
    return "max_reconnect: must be -1 (forever) or >= 0";
  if (c.ping_interval.count() <= 0 || c.max_pings_out < 1)
    return "ping_interval: must be > 0 with max_pings_out >= 1";
  if (c.reconnect_buffer_bytes < 0)
    return "reconnect_buffer_bytes: must be >= 0";
  if (c.api_timeout.count() <= 0)
    return "api_timeout: must be > 0";
  if (c.tls.cert_file.empty() != c.tls.key_file.empty())
    return "tls: cert_file and key_file go together";
  if (!c.user.empty() && !c.token.empty())
    return "token: cannot be combined with user/password";

  const auto& s = cfg.stream;
  if (!valid_name(s.name))
    return "stream name: must be a non-empty name without '.', '*', '>', '/' or spaces";
  if (!valid_subject_prefix(s.subject_prefix))
    return "subject_prefix: must be dot-separated tokens without wildcards or spaces";
  if (s.replicas < 1 || s.replicas > 5)
    return "stream_replicas: must be 1..5";
  if (s.duplicate_window.count() <= 0)
    return "duplicate_window: must be > 0";
  if (s.dead_max_age.count() <= 0 || s.dead_max_msgs <= 0)
    return "dead letters: max age and max msgs must be > 0";

  const auto& k = cfg.consumer;
  if (!valid_name(k.durable_prefix))
    return "durable_prefix: must be a non-empty name without '.', '*', '>', '/' or spaces";
  if (k.ack_wait.count() < 100)
    return "ack_wait: must be >= 100 ms";
  if (k.max_ack_pending < 1)
    return "max_ack_pending: must be >= 1";
  if (k.max_batch < 1 || k.max_batch > max_fetch_batch || k.max_batch > k.max_ack_pending)
    return "max_batch: must be 1.." + std::to_string(max_fetch_batch) + " and <= max_ack_pending";

  const auto& p = cfg.publish;
  if (p.ack_timeout.count() <= 0)
    return "publish ack_timeout: must be > 0";
  if (p.max_pending < 1)
    return "publish max_pending: must be >= 1";
  return {};
}

} // namespace taskmesh::nats
