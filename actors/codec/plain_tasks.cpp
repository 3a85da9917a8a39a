// File: actors/codec/plain_tasks.cpp
// Submissions of the common shape, parsed without a JSON document
// (contract: parse_plain_tasks in task_codec.hpp).
//
// Why: POST /tasks spent a third of its instructions per task building a
// Boost.JSON document (every key and string copied into it) and walking it
// again in parse_task (callgrind, docs/benchmarks.md). Here Boost.JSON's
// own SAX parser (basic_parser: the same tokenizer, UTF-8 checks and
// unescaping the document parser uses) hands its events to a handler that
// fills the tasks in place. The handler takes only what it can decide
// exactly as parse_task would; at anything else it stops, and the general
// path parses the body again, so every error, and every shape this file
// does not know, keeps one implementation.
#include "actors/codec/task_codec.hpp"

#include "actors/codec/plain_reader.hpp"
#include "actors/codec/task_members.hpp"
#include "actors/codec/task_rules.hpp"

namespace taskmesh {

namespace json = boost::json;

namespace {

// Params, when present, stop the handler at their value (an object, or
// anything else parse_task refuses).
using member = task_members::request;

// Request bodies: an array of task objects (POST /tasks) or one (POST
// /task); what both decoders share is plain_reader.hpp.
class plain_handler : public plain::task_reader<plain_handler, member> {
public:
  plain_handler(bool batch, const op_registry& ops, const codec_limits& limits)
    : task_reader(batch ? plain::shape::array_of_tasks : plain::shape::one_task,
                  limits.max_batch),
      ops_(ops), limits_(limits) {}

  void start_task() {
    type_.clear();
    priority_.clear();
    idempotency_key_.clear();
  }

  bool on_int64(std::int64_t i, json::string_view, json::error_code& ec) {
    if (at() != member::max_attempts || i < task_rules::min_attempts || i > task_rules::max_attempts)
      return stop(ec);
    tasks().back().max_attempts = static_cast<std::uint8_t>(i);
    return true;
  }

  static member member_for(std::string_view key) { return task_members::request_member(key); }

  // A string value, or a piece of one, for member m.
  bool append(member m, json::string_view s) {
    task& t = tasks().back();
    switch (m) {
      case member::type: type_.append(s.data(), s.size()); return true;
      case member::payload: t.payload.append(s.data(), s.size()); return true;
      case member::priority: priority_.append(s.data(), s.size()); return priority_.size() <= 6;
      case member::idempotency_key:
        idempotency_key_.append(s.data(), s.size());
        return idempotency_key_.size() <= limits_.max_idempotency_key;
      default: return false; // params or max_attempts as a string
    }
  }

  // The task object ended: decide it as parse_task would, or give up.
  bool finish(task& t) {
    const std::string_view type = has(member::type) ? std::string_view(type_) : task_rules::default_type;
    const op_definition* def = ops_.find(type, &t.op);
    // A JSON payload is stored as Boost.JSON serializes it, and an op's
    // params check might want params: both are the general path's.
    if (!def || def->payload != payload_kind::text)
      return false;
    if (def->validate && def->validate(json::object{}))
      return false;
    if (has(member::priority)) {
      const auto prio = priority_named(priority_);
      if (!prio)
        return false;
      t.prio = *prio;
    }
    if (has(member::idempotency_key)) {
      if (idempotency_key_.empty())
        return false;
      t.idempotency_key.assign(idempotency_key_);
    }
    task_rules::stamp_new(t);
    return true;
  }

private:
  const op_registry& ops_;
  const codec_limits& limits_;
  std::string type_, priority_, idempotency_key_;
};

} // namespace

std::optional<std::vector<task>> parse_plain_tasks(std::string_view body, bool batch,
                                                   const op_registry& ops,
                                                   const codec_limits& limits) {
  // The depth the shapes here need; a lower --max-json-depth refuses them.
  if (limits.max_json_depth < (batch ? 2u : 1u))
    return std::nullopt;
  json::parse_options opts;
  opts.max_depth = limits.max_json_depth;
  json::basic_parser<plain_handler> p(opts, batch, ops, limits);
  if (!plain::parse_all(p, body))
    return std::nullopt;
  return std::move(p.handler().tasks());
}

} // namespace taskmesh
