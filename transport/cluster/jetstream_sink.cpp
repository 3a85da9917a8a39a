// File: transport/cluster/jetstream_sink.cpp
// A detached actor around one nats::publisher: each dispatch is one
// publish_batch (blocking until every PubAck or the ack timeout), answered
// with the ids JetStream did not confirm.
#include "transport/cluster/jetstream_sink.hpp"

#include <memory>
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

// Publishes `tasks`; returns the ids of those JetStream did not confirm.
std::vector<task_id> publish(sink_state& st, const std::vector<task>& tasks) {
  if (auto e = ensure_publisher(st)) {
    report_refused(st, tasks.size(), tasks.size(), e);
    return all_ids(tasks);
  }
  std::vector<task_id> refused;
  nats::error first;
  // Tasks whose message could not even be built (cannot happen for tasks
  // the codec validated) are refused without publishing.
  std::vector<nats::outgoing_message> out;
  std::vector<std::size_t> index; // out[i] carries tasks[index[i]]
  out.reserve(tasks.size());
  index.reserve(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto& t = tasks[i];
    nats::outgoing_message m;
    try {
      m.payload = task_to_wire(t, *st.ops);
    } catch (const std::exception& e) {
      refused.push_back(t.id);
      if (!first)
        first = nats::make_error(NATS_INVALID_ARG, std::string("task_to_wire: ") + e.what());
      continue;
    }
    m.subject = t.prio == priority::high ? st.high_subject : st.normal_subject;
    m.msg_id = t.id.to_string();
    m.traceparent = t.traceparent; // W3C trace context as a NATS header
    out.push_back(std::move(m));
    index.push_back(i);
  }
  const auto results = st.pub->publish_batch(out);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].ok())
      continue;
    refused.push_back(tasks[index[i]].id);
    if (!first)
      first = results[i].err;
  }
  if (!refused.empty())
    report_refused(st, refused.size(), tasks.size(), first);
  return refused;
}

worker_sink_actor::behavior_type jetstream_sink(sink_ptr self, nats::connection* conn,
                                                nats::stream_options stream, const op_registry* ops,
                                                intake_queue* queue) {
  auto& st = self->state;
  st.conn = conn;
  st.ops = ops;
  st.queue = queue;
  st.high_subject = stream.high_subject();
  st.normal_subject = stream.normal_subject();
  if (auto e = ensure_publisher(st))
    st.warnings.warn("jetstream sink: cannot create a publisher (dispatches are refused)", e);
  return {
    [=](dispatch_atom, const std::vector<task>& tasks) {
      auto refused = publish(self->state, tasks);
      // Stored tasks left this process; refused ones are answered as such
      // (intake fails them): either way they leave the backlog.
      if (self->state.queue)
        self->state.queue->release(tasks.size());
      return refused;
    },
  };
}

} // namespace

worker_sink_actor spawn_jetstream_sink(caf::actor_system& sys, nats::connection* conn,
                                       nats::stream_options stream, const op_registry* ops,
                                       intake_queue* queue) {
  return sys.spawn<caf::detached>(jetstream_sink, conn, std::move(stream), ops, queue);
}

} // namespace taskmesh::cluster
