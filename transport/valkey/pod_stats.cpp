// File: transport/valkey/pod_stats.cpp
// The shared pod windows and latency samples (layout: pod_stats.hpp).
#include "transport/valkey/pod_stats.hpp"

#include <charconv>
#include <stdexcept>

namespace taskmesh::valkey {
namespace {

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

void push_samples(std::vector<command>& out, const std::string& list, const std::string& count,
                  const std::vector<std::uint32_t>& samples, std::size_t window) {
  if (samples.empty())
    return;
  auto& push = out.emplace_back("RPUSH");
  push.arg(std::string_view(list));
  for (auto us : samples)
    push.arg(us);
  out.emplace_back("LTRIM")
    .arg(std::string_view(list))
    .arg(-static_cast<std::int64_t>(window))
    .arg(-1);
  out.emplace_back("INCRBY").arg(std::string_view(count)).arg(samples.size());
}

template <class Int>
bool parse(std::string_view text, Int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

result<std::vector<std::uint32_t>> samples_of(const redisReply* r) {
  if (!r || r->type != REDIS_REPLY_ARRAY)
    return unexpected(r, "a list of samples");
  std::vector<std::uint32_t> out;
  out.reserve(r->elements);
  for (std::size_t i = 0; i < r->elements; ++i) {
    const auto s = string_of(r->element[i]);
    std::uint32_t v = 0;
    if (s && parse(*s, v))
      out.push_back(v);
  }
  return out;
}

std::uint64_t count_of(const redisReply* r) {
  const auto s = string_of(r);
  std::uint64_t v = 0;
  return s && parse(*s, v) ? v : 0;
}

} // namespace

pod_stats::pod_stats(client& c, pod_stats_options options) : client_(c), o_(std::move(options)) {
  if (o_.prefix.empty())
    throw std::invalid_argument("valkey pod stats: empty key prefix");
  if (o_.window == 0)
    throw std::invalid_argument("valkey pod stats: the sample window must hold a sample");
  pods_key_ = o_.prefix + ":pods";
  queue_wait_key_ = o_.prefix + ":lat:queue_wait";
  processing_key_ = o_.prefix + ":lat:processing";
  queue_wait_n_ = queue_wait_key_ + ":n";
  processing_n_ = processing_key_ + ":n";
}

result<void> pod_stats::share(std::string_view worker_id, const pod_window& w) {
  const auto window = std::to_string(w.busy_ns) + " " + std::to_string(w.capacity_ns) + " " +
                      std::to_string(unix_ms());
  std::vector<command> cmds;
  cmds.emplace_back("HSET")
    .arg(std::string_view(pods_key_))
    .arg(worker_id)
    .arg(std::string_view(window));
  push_samples(cmds, queue_wait_key_, queue_wait_n_, w.queue_wait_us, o_.window);
  push_samples(cmds, processing_key_, processing_n_, w.processing_us, o_.window);
  auto replies = client_.pipeline(cmds);
  if (!replies)
    return std::move(replies).err();
  for (const auto& r : *replies)
    if (is_error(r.get()))
      return unexpected(r.get(), "OK");
  return {};
}

result<shared_pod_stats> pod_stats::read() {
  std::vector<command> cmds;
  cmds.emplace_back("HGETALL").arg(std::string_view(pods_key_));
  cmds.emplace_back("LRANGE").arg(std::string_view(queue_wait_key_)).arg(0).arg(-1);
  cmds.emplace_back("LRANGE").arg(std::string_view(processing_key_)).arg(0).arg(-1);
  cmds.emplace_back("GET").arg(std::string_view(queue_wait_n_));
  cmds.emplace_back("GET").arg(std::string_view(processing_n_));
  auto replies = client_.pipeline(cmds, retry::once_if_connection_lost);
  if (!replies)
    return std::move(replies).err();
  const auto& r = *replies;
  shared_pod_stats out;
  const redisReply* pods = r[0].get();
  if (!pods || pods->type != REDIS_REPLY_ARRAY || pods->elements % 2 != 0)
    return unexpected(pods, "the pods hash");
  const auto now = unix_ms();
  std::vector<std::string> forgotten;
  for (std::size_t i = 0; i + 1 < pods->elements; i += 2) {
    const auto id = string_of(pods->element[i]);
    const auto value = string_of(pods->element[i + 1]);
    if (!id || !value)
      continue;
    std::uint64_t busy = 0, capacity = 0;
    std::int64_t at = 0;
    const auto a = value->find(' ');
    const auto b = value->rfind(' ');
    if (a == std::string_view::npos || a == b || !parse(value->substr(0, a), busy) ||
        !parse(value->substr(a + 1, b - a - 1), capacity) || !parse(value->substr(b + 1), at))
      continue;
    if (now - at > o_.forget.count())
      forgotten.emplace_back(*id);
    if (now - at > o_.fresh.count())
      continue;
    ++out.pods;
    out.busy_ns += busy;
    out.capacity_ns += capacity;
  }
  auto queue_wait = samples_of(r[1].get());
  if (!queue_wait)
    return std::move(queue_wait).err();
  auto processing = samples_of(r[2].get());
  if (!processing)
    return std::move(processing).err();
  out.queue_wait_us = std::move(*queue_wait);
  out.processing_us = std::move(*processing);
  out.queue_wait_samples = count_of(r[3].get());
  out.processing_samples = count_of(r[4].get());
  if (!forgotten.empty()) { // pods gone for good (restarted under another id)
    command del("HDEL");
    del.arg(std::string_view(pods_key_));
    for (const auto& id : forgotten)
      del.arg(std::string_view(id));
    (void)client_.execute(del);
  }
  return out;
}

} // namespace taskmesh::valkey
