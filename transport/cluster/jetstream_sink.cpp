// File: transport/cluster/jetstream_sink.cpp
// A detached actor around one nats::publisher: each dispatch (an intake
// round) is one publish_batch of a few messages (blocking until every
// PubAck or the ack timeout), answered with the ids JetStream did not
// confirm. What crosses to nats-server is one message per lane and round,
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
namespace {

struct sink_state {
  static inline const char* name = "jetstream_sink";
  nats::connection* conn = nullptr;
  const op_registry* ops = nullptr;
  intake_queue* queue = nullptr;
  std::string high_subject;
  std::string normal_subject;
  // Destroyed with the state when the actor terminates (its destructor
  // waits up to ack_timeout for PubAcks in flight); the connection must
  // outlive the actor.
  std::unique_ptr<nats::publisher> pub;
  nats_warnings warnings;
  cluster_metrics* metrics = nullptr;
};

using sink_ptr = worker_sink_actor::stateful_pointer<sink_state>;

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

std::vector<task_id> all_ids(const std::vector<task>& tasks) {
  std::vector<task_id> ids;
  ids.reserve(tasks.size());
  for (const auto& t : tasks)
    ids.push_back(t.id);
  return ids;
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
// with the ids of those JetStream did not confirm, as queue_full when the
// stream refused any of them for being at its bound (--queue-capacity).
dispatch_answer publish(sink_state& st, const std::vector<task>& tasks) {
  if (auto e = ensure_publisher(st)) {
    report_refused(st, tasks.size(), tasks.size(), e);
    return {all_ids(tasks), false};
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
  std::vector<bool> stored(tasks.size(), false);
  bool full = false;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) {
      const bool this_full = nats::stream_full(results[i].err);
      full = full || this_full;
      if (st.metrics)
        (this_full ? st.metrics->nats_publish_full : st.metrics->nats_publish_failed)->Increment();
      if (!first)
        first = results[i].err;
      continue;
    }
    for (auto k : planned[i].tasks)
      stored[k] = true;
  }
  // In the order intake gave them.
  dispatch_answer answer;
  answer.queue_full = full;
  for (std::size_t k = 0; k < tasks.size(); ++k)
    if (!stored[k])
      answer.refused.push_back(tasks[k].id);
  // A full stream is back-pressure working as configured, not a fault.
  if (!answer.refused.empty() && !full)
    report_refused(st, answer.refused.size(), tasks.size(), first);
  return answer;
}

worker_sink_actor::behavior_type jetstream_sink(sink_ptr self, nats::connection* conn,
                                                nats::stream_options stream, const op_registry* ops,
                                                intake_queue* queue, cluster_metrics* metrics) {
  auto& st = self->state;
  st.metrics = metrics;
  st.conn = conn;
  st.ops = ops;
  st.queue = queue;
  st.high_subject = stream.high_subject();
  st.normal_subject = stream.normal_subject();
  if (auto e = ensure_publisher(st))
    st.warnings.warn("jetstream sink: cannot create a publisher (dispatches are refused)", e);
  return {
    [=](dispatch_atom, const std::vector<task>& tasks) {
      auto answer = publish(self->state, tasks);
      // Stored tasks left this process; refused ones are answered as such
      // (intake fails them): either way they leave the backlog.
      if (self->state.queue)
        self->state.queue->release(tasks.size());
      return answer;
    },
  };
}

} // namespace

worker_sink_actor spawn_jetstream_sink(caf::actor_system& sys, nats::connection* conn,
                                       nats::stream_options stream, const op_registry* ops,
                                       intake_queue* queue, cluster_metrics* metrics) {
  return sys.spawn<caf::detached>(jetstream_sink, conn, std::move(stream), ops, queue, metrics);
}

} // namespace taskmesh::cluster
