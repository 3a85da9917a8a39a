// File: transport/cluster/jetstream_sink.cpp
// One nats::publisher: each intake round is one publish_batch of a few
// messages (blocking until every PubAck or the ack timeout), answered with
// what JetStream did not confirm. What crosses to nats-server is one message per lane and round,
// not one per task: the per-message costs (PubAck, delivery, ack, stream
// index) are paid once for many tasks.
#include "transport/cluster/jetstream_sink.hpp"

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <vector>


#include "actors/codec/task_codec.hpp"
#include "transport/cluster/nats_receipt.hpp"
#include "transport/nats/publisher.hpp"

namespace taskmesh::cluster {

struct jetstream_sink::state {
  nats::connection* conn = nullptr;
  const op_registry* ops = nullptr;
  std::string high_subject;
  std::string normal_subject;
  // Its destructor waits up to ack_timeout for PubAcks in flight.
  std::unique_ptr<nats::publisher> pub;
  nats_warnings warnings;
  cluster_metrics* metrics = nullptr;
};

namespace {

using sink_state = jetstream_sink::state;

// The one place where the sink's NATS failures become log lines: one line
// per batch (rate-limited by nats_warnings), naming the first error.
void report_refused(sink_state& st, std::size_t refused, std::size_t total,
                    const nats::error& first) {
  st.warnings.warn("jetstream sink: " + std::to_string(refused) + " of " + std::to_string(total) +
                     " tasks not stored, first error",
                   first);
}

// The publisher is created at spawn; creation does no I/O, so it fails only
// on a bad argument or memory exhaustion. Until it exists every dispatch is
// refused; it is tried again on each one.
nats::error ensure_publisher(sink_state& st) {
  if (st.pub)
    return {};
  auto p = nats::publisher::create(*st.conn, nats::publish_options{});
  if (!p)
    return p.err();
  st.pub = std::move(*p);
  return {};
}

// One message of a round: the tasks it carries (indexes into the round).
struct planned_message {
  nats::outgoing_message msg;
  std::vector<std::size_t> tasks;
};

std::size_t wire_size_estimate(const task& t) {
  return t.payload.size() + t.params.size() + t.idempotency_key.size() + t.traceparent.size() +
         envelope_task_overhead;
}

// Groups a round into messages. A task with an idempotency key travels
// alone under Nats-Msg-Id = its id: a request that takes over the key
// publishes it again under that id, and JetStream must drop the copy. The
// others share one message per lane (at most envelope_max_tasks tasks and
// about envelope_max_bytes), Nats-Msg-Id = the first task's id with "+n"
// appended: unique, since a task is in one round only. A lane with one
// such task sends it alone, as a plain task message.
std::vector<planned_message> plan(sink_state& st, const std::vector<task>& tasks,
                                  std::vector<task_id>& refused, nats::error& first) {
  std::vector<planned_message> out;
  auto start_message = [&](const task& t) -> planned_message& {
    auto& m = out.emplace_back();
    m.msg.subject = t.prio == priority::high ? st.high_subject : st.normal_subject;
    return m;
  };
  auto encode = [&](planned_message& m, std::span<const task> carried) {
    try {
      m.msg.payload = carried.size() == 1 ? task_to_wire(carried.front(), *st.ops)
                                          : tasks_to_wire(carried, *st.ops);
      return true;
    } catch (const std::exception& e) {
      // Cannot happen for tasks the codec validated: refused, not published.
      for (auto i : m.tasks)
        refused.push_back(tasks[i].id);
      if (!first)
        first = nats::make_error(NATS_INVALID_ARG, std::string("task_to_wire: ") + e.what());
      out.pop_back();
      return false;
    }
  };
  std::vector<std::size_t> lanes[2];
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto& t = tasks[i];
    if (!t.idempotency_key.empty()) {
      auto& m = start_message(t);
      m.tasks.push_back(i);
      m.msg.msg_id = t.id.to_string();
      m.msg.traceparent = t.traceparent;
      encode(m, std::span<const task>(&t, 1));
    } else {
      lanes[t.prio == priority::high ? 1 : 0].push_back(i);
    }
  }
  std::vector<task> carried;
  for (const auto& lane : lanes) {
    std::size_t next = 0;
    while (next < lane.size()) {
      auto& m = start_message(tasks[lane[next]]);
      std::size_t bytes = 0;
      while (next < lane.size() && m.tasks.size() < envelope_max_tasks &&
             (m.tasks.empty() || bytes + wire_size_estimate(tasks[lane[next]]) <= envelope_max_bytes)) {
        bytes += wire_size_estimate(tasks[lane[next]]);
        m.tasks.push_back(lane[next++]);
      }
      const auto& head = tasks[m.tasks.front()];
      m.msg.msg_id = head.id.to_string();
      if (m.tasks.size() == 1) {
        m.msg.traceparent = head.traceparent;
        encode(m, std::span<const task>(&head, 1));
        continue;
      }
      m.msg.msg_id += "+" + std::to_string(m.tasks.size());
      // Each task carries its own traceparent in the body.
      carried.clear();
      for (auto i : m.tasks)
        carried.push_back(tasks[i]);
      encode(m, carried);
    }
  }
  return out;
}

// Publishes `tasks`, one message per lane and round (see plan); answers
// per task whether JetStream stored it, queue_full for those the stream
// refused for being at its bound (--queue-capacity).
std::vector<admission::refusal> publish(sink_state& st, const std::vector<task>& tasks) {
  using refusal = admission::refusal;
  if (auto e = ensure_publisher(st)) {
    report_refused(st, tasks.size(), tasks.size(), e);
    return std::vector<refusal>(tasks.size(), refusal::unavailable);
  }
  std::vector<task_id> unencodable;
  nats::error first;
  auto planned = plan(st, tasks, unencodable, first);
  std::vector<nats::outgoing_message> out;
  out.reserve(planned.size());
  for (auto& m : planned)
    out.push_back(std::move(m.msg));
  const auto began = std::chrono::steady_clock::now();
  const auto results = st.pub->publish_batch(out);
  if (st.metrics)
    st.metrics->nats_publish_seconds->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  // Unencodable tasks (in no planned message) stay unavailable.
  std::vector<refusal> answer(tasks.size(), refusal::unavailable);
  std::size_t failed = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) {
      const bool full = nats::stream_full(results[i].err);
      if (st.metrics)
        (full ? st.metrics->nats_publish_full : st.metrics->nats_publish_failed)->Increment();
      if (!full && !first)
        first = results[i].err;
      for (auto k : planned[i].tasks)
        answer[k] = full ? refusal::queue_full : refusal::unavailable;
      continue;
    }
    for (auto k : planned[i].tasks)
      answer[k] = refusal::none;
  }
  for (auto r : answer)
    failed += r == refusal::unavailable ? 1 : 0;
  // A full stream is back-pressure working as configured, not a fault.
  if (failed > 0)
    report_refused(st, failed, tasks.size(), first);
  return answer;
}

} // namespace

jetstream_sink::jetstream_sink(nats::connection* conn, const nats::stream_options& stream,
                               const op_registry* ops, cluster_metrics* metrics)
    : st_(std::make_unique<state>()) {
  st_->conn = conn;
  st_->ops = ops;
  st_->metrics = metrics;
  st_->high_subject = stream.high_subject();
  st_->normal_subject = stream.normal_subject();
  if (auto e = ensure_publisher(*st_))
    st_->warnings.warn("jetstream sink: cannot create a publisher (publishes are refused)", e);
}

jetstream_sink::~jetstream_sink() = default;

std::vector<admission::refusal> jetstream_sink::publish(const std::vector<task>& tasks) {
  return cluster::publish(*st_, tasks);
}

} // namespace taskmesh::cluster
