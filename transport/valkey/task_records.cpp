// File: transport/valkey/task_records.cpp
// Builds the script calls (ARGV layouts documented in scripts.cpp) and reads
// their replies back into plain structs.
#include "transport/valkey/task_records.hpp"

#include <algorithm>
#include <stdexcept>

namespace taskmesh::valkey {
namespace {

std::string_view id_text(const task_id& id, char (&buf)[36]) {
  id.write_to(buf);
  return {buf, sizeof buf};
}

// n script replies, each an array; returns the arrays' elements in order.
// With `trailers`, each array's last element goes there instead (a value
// per script run, after its per-item entries).
result<std::vector<const redisReply*>> flatten(const std::vector<reply_ptr>& replies,
                                               std::size_t expected, std::string_view what,
                                               std::vector<const redisReply*>* trailers = nullptr) {
  std::vector<const redisReply*> out;
  out.reserve(expected);
  for (const auto& r : replies) {
    if (!r || r->type != REDIS_REPLY_ARRAY || (trailers && r->elements == 0))
      return unexpected(r.get(), what);
    const std::size_t entries = trailers ? r->elements - 1 : r->elements;
    for (std::size_t i = 0; i < entries; ++i)
      out.push_back(r->element[i]);
    if (trailers)
      trailers->push_back(r->element[entries]);
  }
  if (out.size() != expected)
    return error{errc::unexpected_reply, std::string(what) + ": expected " +
                                           std::to_string(expected) + " entries, got " +
                                           std::to_string(out.size())};
  return out;
}

// The script calls for `count` items, at most max_batch per call, each
// starting "prefix, ttl_ms, n"; add(cmd, first, n) appends the items' ARGV.
template <class AddItems>
std::vector<command> chunked_calls(const script_set& scripts, script_id id,
                                   const records_options& o, std::chrono::milliseconds ttl,
                                   std::size_t count, AddItems&& add) {
  std::vector<command> calls;
  for (std::size_t at = 0; at < count; at += o.max_script_batch) {
    const std::size_t n = std::min(o.max_script_batch, count - at);
    command& cmd = calls.emplace_back(scripts.call(id));
    cmd.arg(std::string_view(o.prefix)).arg(ttl.count()).arg(n);
    add(cmd, at, n);
  }
  return calls;
}

// A record key's value (GET, or a script's reply): nullopt for nil.
result<std::optional<stored_record>> decode_reply(const task_id& id, const redisReply* r) {
  if (is_nil(r))
    return std::optional<stored_record>();
  const auto value = string_of(r);
  if (!value)
    return unexpected(r, "a task record value");
  auto decoded = decode_value(id, *value);
  if (!decoded)
    return std::move(decoded).err();
  return std::optional<stored_record>(std::move(*decoded));
}

} // namespace

task_records::task_records(client& c, records_options options)
    : client_(c), options_(std::move(options)) {
  if (options_.prefix.empty())
    throw std::invalid_argument("valkey records: empty key prefix");
  if (options_.result_ttl.count() <= 0)
    throw std::invalid_argument("valkey records: result TTL must be positive");
  if (options_.claim_ttl.count() <= 0)
    throw std::invalid_argument("valkey records: claim TTL must be positive");
  // A script run blocks Valkey while it runs (about 2-3 ms per 256
  // updates): the limit keeps one run near 10 ms.
  if (options_.max_script_batch == 0 || options_.max_script_batch > max_script_batch_limit)
    throw std::invalid_argument("valkey records: max_script_batch must be in 1..1000");
}

std::string task_records::record_key(const task_id& id) const {
  return options_.prefix + ":task:" + id.to_string();
}

// Scripts are loaded before the first call is built, so calls go out as
// EVALSHA (SHA1 only) rather than with their whole source.
result<void> task_records::ready() {
  return scripts_.load(client_);
}

result<std::vector<reply_ptr>> task_records::run(std::span<const command> calls) {
  auto replies = scripts_.run(client_, calls);
  if (!replies)
    return replies;
  for (const auto& r : *replies)
    if (auto e = reply_error(r.get()))
      return std::move(*e);
  return replies;
}

result<std::int64_t> task_records::run_integer(const command& call) {
  auto replies = run(std::span<const command>(&call, 1));
  if (!replies)
    return std::move(replies).err();
  const auto n = integer_of(replies->front().get());
  if (!n)
    return unexpected(replies->front().get(), "an integer");
  return static_cast<std::int64_t>(*n);
}

result<std::vector<claim>> task_records::claim_keys(std::span<const key_claim> keys) {
  if (keys.empty())
    return std::vector<claim>{};
  if (auto r = ready(); !r)
    return std::move(r).err();
  const auto calls = chunked_calls(
    scripts_, script_id::claim, options_, options_.claim_ttl, keys.size(),
    [&](command& cmd, std::size_t at, std::size_t n) {
      for (const key_claim& k : keys.subspan(at, n)) {
        if (k.idempotency_key.empty())
          throw std::invalid_argument("task_records::claim_keys: empty idempotency key");
        char id[36];
        cmd.copy(id_text(k.id, id));
        cmd.arg(k.idempotency_key);
      }
    });
  auto replies = run(calls);
  if (!replies)
    return std::move(replies).err();
  auto entries = flatten(*replies, keys.size(), "claim reply");
  if (!entries)
    return std::move(entries).err();

  std::vector<claim> out;
  out.reserve(keys.size());
  for (const redisReply* e : *entries) {
    const auto code = integer_of(element(e, 0));
    const auto id = string_of(element(e, 1));
    const auto status = string_of(element(e, 2));
    const auto parsed_id = id ? task_id::parse(*id) : std::nullopt;
    const auto parsed_status = status ? parse_status(*status) : std::nullopt;
    if (!code || *code < 0 || *code > 2 || !parsed_id || !parsed_status)
      return unexpected(e, "{code 0..2, id, status} per claimed key");
    out.push_back({static_cast<claim_outcome>(*code), *parsed_id, *parsed_status});
  }
  return out;
}

result<std::vector<task_status>> task_records::admit(std::span<const record_write> records) {
  if (records.empty())
    return std::vector<task_status>{};
  for (const record_write& w : records)
    if (w.record.status != task_status::queued)
      throw std::invalid_argument("task_records::admit: a record that is not queued");
  if (auto r = ready(); !r)
    return std::move(r).err();
  const auto calls = chunked_calls(
    scripts_, script_id::admit, options_, options_.result_ttl, records.size(),
    [&](command& cmd, std::size_t at, std::size_t n) {
      for (const record_write& w : records.subspan(at, n)) {
        char id[36];
        cmd.copy(id_text(w.record.id, id));
        cmd.arg(w.type).arg(std::string_view(w.record.idempotency_key));
        cmd.build([&](std::string& out) { append_value(out, w.record, w.type); });
      }
    });
  auto replies = run(calls);
  if (!replies)
    return std::move(replies).err();
  auto entries = flatten(*replies, records.size(), "admit reply");
  if (!entries)
    return std::move(entries).err();

  std::vector<task_status> out;
  out.reserve(records.size());
  for (const redisReply* e : *entries) {
    const auto status = string_of(e);
    const auto parsed = status ? parse_status(*status) : std::nullopt;
    if (!parsed)
      return unexpected(e, "a status per admitted task");
    out.push_back(*parsed);
  }
  return out;
}

result<update_reply> task_records::update(std::span<const record_write> records) {
  if (records.empty())
    return update_reply{};
  if (auto r = ready(); !r)
    return std::move(r).err();
  const auto calls = chunked_calls(
    scripts_, script_id::update, options_, options_.result_ttl, records.size(),
    [&](command& cmd, std::size_t at, std::size_t n) {
      for (const record_write& w : records.subspan(at, n)) {
        const task_record& r = w.record;
        char id[36];
        cmd.copy(id_text(r.id, id));
        cmd.arg(w.type).arg(to_string(r.status)).arg(std::string_view(r.idempotency_key));
        cmd.build([&](std::string& out) { append_admitted_header(out, r); });
        // The value as the common case writes it: a terminal outcome onto
        // the admitted record is that record's first execution and commit.
        const std::int64_t first = is_terminal(r.status) ? 1 : 0;
        cmd.build([&](std::string& out) { append_value(out, r, w.type, first, first); });
      }
    });
  auto replies = run(calls);
  if (!replies)
    return std::move(replies).err();
  // Each call's reply: its records' codes, then the watched flag.
  std::vector<const redisReply*> flags;
  auto entries = flatten(*replies, records.size(), "update reply", &flags);
  if (!entries)
    return std::move(entries).err();

  update_reply out;
  out.outcomes.reserve(records.size());
  for (const redisReply* e : *entries) {
    const auto code = integer_of(e);
    if (!code || *code < 0 || *code > 3)
      return unexpected(e, "an update code 0..3");
    constexpr update_outcome by_code[] = {update_outcome::stale, update_outcome::applied,
                                          update_outcome::first_terminal,
                                          update_outcome::already_terminal};
    out.outcomes.push_back(by_code[*code]);
  }
  for (const redisReply* f : flags) {
    const auto watched = integer_of(f);
    if (!watched)
      return unexpected(f, "the watched flag last");
    out.watched = out.watched || *watched != 0;
  }
  if (auto r = wait_for_replicas(); !r)
    return std::move(r).err();
  return out;
}

// Valkey WAIT on this connection: its writes so far are on wait_replicas
// replicas, or not_replicated.
result<void> task_records::wait_for_replicas() {
  if (options_.wait_replicas == 0)
    return {};
  command cmd("WAIT");
  cmd.arg(static_cast<long long>(options_.wait_replicas));
  cmd.arg(std::max<std::int64_t>(options_.wait_timeout.count(), 1));
  auto reply = client_.execute(cmd, retry::never);
  if (!reply)
    return std::move(reply).err();
  const auto acked = integer_of(reply->get());
  if (!acked)
    return unexpected(reply->get(), "WAIT's replica count");
  if (*acked < static_cast<long long>(options_.wait_replicas))
    return error{errc::not_replicated, std::to_string(*acked) + " of " +
                                         std::to_string(options_.wait_replicas) +
                                         " replicas acknowledged within " +
                                         std::to_string(options_.wait_timeout.count()) + " ms"};
  return {};
}

result<void> task_records::mark_events_watched(std::chrono::milliseconds ttl) {
  if (auto r = ready(); !r)
    return std::move(r).err();
  command cmd("SET");
  cmd.copy(options_.prefix + ":events:watched").arg("1").arg("PX");
  cmd.arg(std::max<std::int64_t>(ttl.count(), 1));
  auto reply = client_.execute(cmd, retry::once_if_connection_lost);
  if (!reply)
    return std::move(reply).err();
  return {};
}

result<std::optional<stored_record>> task_records::get(const task_id& id) {
  command cmd("GET");
  cmd.copy(record_key(id));
  auto reply = client_.execute(cmd, retry::once_if_connection_lost);
  if (!reply)
    return std::move(reply).err();
  return decode_reply(id, reply->get());
}

result<counter_snapshot> task_records::counters() {
  if (auto r = ready(); !r)
    return std::move(r).err();
  command cmd = scripts_.call(script_id::counters);
  cmd.arg(std::string_view(options_.prefix));
  auto replies = run(std::span<const command>(&cmd, 1));
  if (!replies)
    return std::move(replies).err();
  // 7 totals, then 7 entries (name + 6 counters) per op.
  constexpr std::size_t totals = 7, per_type = 7;
  const redisReply* r = replies->front().get();
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < totals ||
      (r->elements - totals) % per_type != 0)
    return unexpected(r, "the counters array");

  std::int64_t v[totals];
  for (std::size_t i = 0; i < totals; ++i) {
    const auto n = integer_of(r->element[i]);
    if (!n)
      return unexpected(r->element[i], "an integer counter");
    v[i] = *n;
  }
  counter_snapshot out{v[0], v[1], v[2], v[3], v[4], v[5], v[6], {}};
  for (std::size_t at = totals; at < r->elements; at += per_type) {
    const auto name = string_of(r->element[at]);
    std::int64_t t[per_type - 1];
    for (std::size_t i = 0; i < per_type - 1; ++i) {
      const auto n = integer_of(r->element[at + 1 + i]);
      if (!n)
        return unexpected(r->element[at + 1 + i], "an integer counter");
      t[i] = *n;
    }
    if (!name)
      return unexpected(r->element[at], "an op name");
    out.by_type.emplace(std::string(*name), type_counters{t[0], t[1], t[2], t[3], t[4], t[5]});
  }
  return out;
}

result<task_records::cancel_reply> task_records::cancel(const task_id& id) {
  if (auto r = ready(); !r)
    return std::move(r).err();
  command cmd = scripts_.call(script_id::cancel);
  char text[36];
  cmd.arg(std::string_view(options_.prefix)).arg(options_.result_ttl.count());
  cmd.copy(id_text(id, text));
  auto replies = run(std::span<const command>(&cmd, 1));
  if (!replies)
    return std::move(replies).err();
  const redisReply* r = replies->front().get();
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1)
    return unexpected(r, "{code, record value}");
  const auto code = integer_of(r->element[0]);
  if (!code || *code < 0 || *code > 2)
    return unexpected(r->element[0], "a cancel code 0..2");
  cancel_reply out;
  if (*code == 0)
    return out;
  if (r->elements != 2)
    return unexpected(r, "{code, record value}");
  auto record = decode_reply(id, r->element[1]);
  if (!record)
    return std::move(record).err();
  out.outcome = *code == 1 ? cancel_outcome::cancelled : cancel_outcome::not_cancellable;
  out.record = std::move(*record);
  return out;
}

result<std::int64_t> task_records::count_records() {
  if (auto r = ready(); !r)
    return std::move(r).err();
  command cmd = scripts_.call(script_id::count_records);
  cmd.arg(std::string_view(options_.prefix));
  return run_integer(cmd);
}

result<std::int64_t> task_records::heartbeat(std::string_view worker_id,
                                             std::chrono::milliseconds ttl) {
  if (auto r = ready(); !r)
    return std::move(r).err();
  command cmd = scripts_.call(script_id::heartbeat);
  cmd.arg(std::string_view(options_.prefix)).arg(worker_id);
  cmd.arg(std::max<std::int64_t>(ttl.count(), 1));
  return run_integer(cmd);
}

result<std::int64_t> task_records::count_workers() {
  if (auto r = ready(); !r)
    return std::move(r).err();
  command cmd = scripts_.call(script_id::count_live);
  cmd.copy(options_.prefix + ":workers");
  return run_integer(cmd);
}

result<std::vector<std::string>> task_records::live_workers(std::size_t max) {
  if (auto r = ready(); !r)
    return std::move(r).err();
  command cmd = scripts_.call(script_id::list_live);
  cmd.copy(options_.prefix + ":workers");
  cmd.arg(static_cast<std::int64_t>(std::max<std::size_t>(max, 1)));
  auto replies = run(std::span<const command>(&cmd, 1));
  if (!replies)
    return std::move(replies).err();
  const redisReply* r = replies->front().get();
  if (!r || r->type != REDIS_REPLY_ARRAY)
    return unexpected(r, "an array of worker ids");
  std::vector<std::string> ids;
  ids.reserve(r->elements);
  for (std::size_t i = 0; i < r->elements; ++i) {
    const auto id = string_of(r->element[i]);
    if (!id)
      return unexpected(r->element[i], "a worker id");
    ids.emplace_back(*id);
  }
  return ids;
}

result<void> task_records::forget_worker(std::string_view worker_id) {
  if (auto r = ready(); !r)
    return std::move(r).err();
  command cmd = scripts_.call(script_id::forget_worker);
  cmd.arg(std::string_view(options_.prefix)).arg(worker_id);
  auto n = run_integer(cmd);
  if (!n)
    return std::move(n).err();
  return {};
}

} // namespace taskmesh::valkey
