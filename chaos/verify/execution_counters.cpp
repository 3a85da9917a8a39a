// File: chaos/verify/execution_counters.cpp
#include "chaos/verify/execution_counters.hpp"

#include <algorithm>

#include "transport/valkey/client.hpp"
#include "transport/valkey/command.hpp"
#include "transport/valkey/record_codec.hpp"
#include "transport/valkey/redis_handle.hpp"
#include "transport/valkey/valkey_config.hpp"

namespace taskmesh::verify {

namespace {
constexpr std::size_t chunk = 500;
} // namespace

execution_counts read_execution_counts(const std::string& valkey_url, const std::string& prefix,
                                       const std::vector<std::string>& ids) {
  execution_counts out;
  auto cfg = valkey::parse_url(valkey_url);
  if (!cfg) {
    out.error = "--valkey: " + cfg.err().message;
    return out;
  }
  cfg->command_timeout = std::chrono::seconds(5);
  valkey::client conn(*cfg);
  out.by_task.resize(ids.size());
  for (std::size_t from = 0; from < ids.size(); from += chunk) {
    const std::size_t to = std::min(ids.size(), from + chunk);
    std::vector<std::string> keys;
    keys.reserve(to - from);
    std::vector<valkey::command> cmds;
    cmds.reserve(to - from);
    for (std::size_t i = from; i < to; ++i) {
      keys.push_back(prefix + ":task:" + ids[i]);
      cmds.push_back(valkey::command("GET").arg(keys.back()));
    }
    auto replies = conn.pipeline(cmds, valkey::retry::once_if_connection_lost);
    if (!replies) {
      out.error = "reading execution counters from " + valkey::redacted_url(*cfg) + ": " +
                  replies.err().message;
      return out;
    }
    for (std::size_t i = from; i < to; ++i) {
      const redisReply* r = (*replies)[i - from].get();
      const auto value = valkey::string_of(r);
      const auto id = task_id::parse(ids[i]);
      if (!value || !id)
        continue; // no record (nil), or not a task id: not found
      auto stored = valkey::decode_value(*id, *value);
      if (!stored) {
        out.error = keys[i - from] + ": " + stored.err().message;
        return out;
      }
      auto& c = out.by_task[i];
      c.found = true;
      c.executions = stored->executions;
      c.commits = stored->commits;
    }
  }
  return out;
}

} // namespace taskmesh::verify
