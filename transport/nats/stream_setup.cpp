// File: transport/nats/stream_setup.cpp
// Add-or-update of the streams and consumers, and the info reads for stats.
#include "transport/nats/stream_setup.hpp"

#include <chrono>

namespace taskmesh::nats {
namespace {

std::int64_t nanos(std::chrono::nanoseconds d) { return d.count(); }

// JSConsumerAlreadyExists, newer than nats.c 3.4.1's jsErrCode list.
constexpr int js_consumer_already_exists = 10148;

bool already_exists(const error& e) {
  return e.js_code == JSStreamNameExistErr || e.js_code == JSConsumerNameExistErr ||
         e.js_code == JSConsumerExistingActiveErr || e.js_code == js_consumer_already_exists;
}

// Add; when the name is taken with another config, update to this one.
// (An Add with an identical config succeeds. nats-server 2.9.10 answers 10058
// for a changed stream, and applies a changed durable consumer on Add; the
// consumer fallback is for servers that refuse instead.)
error upsert_stream(jsCtx* js, jsStreamConfig& cfg) {
  jsStreamInfo* info = nullptr;
  auto e = js_call([&](jsErrCode* code) { return js_AddStream(&info, js, &cfg, nullptr, code); });
  stream_info_ptr added(info);
  if (!e || !already_exists(e))
    return e;
  info = nullptr;
  e = js_call([&](jsErrCode* code) { return js_UpdateStream(&info, js, &cfg, nullptr, code); });
  stream_info_ptr updated(info);
  return e;
}

error upsert_consumer(jsCtx* js, const std::string& stream, jsConsumerConfig& cfg) {
  jsConsumerInfo* info = nullptr;
  auto e = js_call(
    [&](jsErrCode* code) { return js_AddConsumer(&info, js, stream.c_str(), &cfg, nullptr, code); });
  consumer_info_ptr added(info);
  if (!e || !already_exists(e))
    return e;
  info = nullptr;
  e = js_call(
    [&](jsErrCode* code) { return js_UpdateConsumer(&info, js, stream.c_str(), &cfg, nullptr, code); });
  consumer_info_ptr updated(info);
  return e;
}

error no_context(const connection& conn) {
  return conn.jetstream() ? error{} : make_error(NATS_INVALID_ARG, "no JetStream context");
}

} // namespace

error ensure_streams(connection& conn, const stream_options& o) {
  if (auto e = no_context(conn))
    return e;
  const std::string high = o.high_subject();
  const std::string normal = o.normal_subject();
  const std::string dead = o.dead_subject();
  const std::string dead_name = o.dead_stream();

  const char* task_subjects[] = {high.c_str(), normal.c_str()};
  jsStreamConfig tasks;
  jsStreamConfig_Init(&tasks);
  tasks.Name = o.name.c_str();
  tasks.Subjects = task_subjects;
  tasks.SubjectsLen = 2;
  tasks.Retention = js_WorkQueuePolicy;
  tasks.Storage = js_FileStorage;
  tasks.Replicas = o.replicas;
  tasks.Duplicates = nanos(o.duplicate_window);
  tasks.MaxMsgs = o.max_msgs;
  tasks.MaxBytes = o.max_bytes;
  tasks.Discard = js_DiscardNew; // a full queue refuses work instead of dropping accepted tasks
  if (auto e = upsert_stream(conn.jetstream(), tasks))
    return e;

  const char* dead_subjects[] = {dead.c_str()};
  jsStreamConfig dl;
  jsStreamConfig_Init(&dl);
  dl.Name = dead_name.c_str();
  dl.Subjects = dead_subjects;
  dl.SubjectsLen = 1;
  dl.Retention = js_LimitsPolicy;
  dl.Storage = js_FileStorage;
  dl.Replicas = o.replicas;
  dl.Duplicates = nanos(o.duplicate_window);
  dl.MaxAge = nanos(o.dead_max_age);
  dl.MaxMsgs = o.dead_max_msgs;
  dl.Discard = js_DiscardOld;
  return upsert_stream(conn.jetstream(), dl);
}

error ensure_consumers(connection& conn, const stream_options& stream,
                       const consumer_options& o) {
  if (auto e = no_context(conn))
    return e;
  struct lane {
    std::string durable;
    std::string filter;
  };
  const lane lanes[] = {{o.high_durable(), stream.high_subject()},
                        {o.normal_durable(), stream.normal_subject()}};
  for (const auto& l : lanes) {
    jsConsumerConfig cfg;
    jsConsumerConfig_Init(&cfg);
    cfg.Durable = l.durable.c_str();
    cfg.FilterSubject = l.filter.c_str();
    cfg.AckPolicy = js_AckExplicit;
    cfg.DeliverPolicy = js_DeliverAll; // required on WorkQueue streams
    cfg.ReplayPolicy = js_ReplayInstant;
    cfg.AckWait = nanos(o.ack_wait);
    cfg.MaxAckPending = o.max_ack_pending;
    cfg.MaxDeliver = -1; // workers dead-letter after max_attempts (NumDelivered); a server-side
                         // limit would strand the message in the WorkQueue stream instead
    cfg.MaxRequestBatch = o.max_batch;
    if (auto e = upsert_consumer(conn.jetstream(), stream.name, cfg))
      return e;
  }
  return {};
}

result<consumer_stats> consumer_info(connection& conn, const std::string& stream,
                                     const std::string& durable) {
  if (auto e = no_context(conn))
    return e;
  jsConsumerInfo* raw = nullptr;
  if (auto e = js_call([&](jsErrCode* code) {
        return js_GetConsumerInfo(&raw, conn.jetstream(), stream.c_str(), durable.c_str(), nullptr,
                                  code);
      }))
    return e;
  consumer_info_ptr info(raw);
  consumer_stats out;
  out.pending = info->NumPending;
  out.ack_pending = info->NumAckPending;
  out.redelivered = info->NumRedelivered;
  out.waiting_pulls = info->NumWaiting;
  out.created_ns = info->Created;
  return out;
}

result<stream_stats> stream_info(connection& conn, const std::string& stream) {
  if (auto e = no_context(conn))
    return e;
  jsStreamInfo* raw = nullptr;
  if (auto e = js_call([&](jsErrCode* code) {
        return js_GetStreamInfo(&raw, conn.jetstream(), stream.c_str(), nullptr, code);
      }))
    return e;
  stream_info_ptr info(raw);
  return stream_stats{info->State.Msgs, info->State.Bytes, info->State.LastSeq};
}

} // namespace taskmesh::nats
