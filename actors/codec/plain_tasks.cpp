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

#include <boost/json/basic_parser_impl.hpp>

namespace taskmesh {

namespace json = boost::json;

namespace {

// The members a plain task may have. A key maps to one by its length
// first (every known key has a distinct length), as in parse_task.
enum class member : std::uint8_t { none, type, payload, priority, idempotency_key, max_attempts };

member member_for(std::string_view key) {
  switch (key.size()) {
    case 4: return key == "type" ? member::type : member::none;
    case 7: return key == "payload" ? member::payload : member::none;
    case 8: return key == "priority" ? member::priority : member::none;
    case 12: return key == "max_attempts" ? member::max_attempts : member::none;
    case 15: return key == "idempotency_key" ? member::idempotency_key : member::none;
    default: return member::none; // params, or not a task field
  }
}

// Handles the parser's events; returning false stops the parser (with an
// error code set, as basic_parser requires), which means "not plain".
class plain_handler {
public:
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  plain_handler(bool batch, const op_registry& ops, const codec_limits& limits)
    : batch_(batch), ops_(ops), limits_(limits) {}

  std::vector<task>& tasks() noexcept { return tasks_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_array_begin(json::error_code& ec) {
    if (!batch_ || depth_ != 0)
      return stop(ec); // an array where a task or a task's value belongs
    depth_ = 1;
    return true;
  }
  bool on_array_end(std::size_t n, json::error_code& ec) {
    if (n == 0 || n > limits_.max_batch)
      return stop(ec);
    depth_ = 0;
    return true;
  }

  bool on_object_begin(json::error_code& ec) {
    if (depth_ != (batch_ ? 1 : 0))
      return stop(ec); // params, a JSON payload, a task outside the batch array
    ++depth_;
    tasks_.emplace_back();
    at_ = member::none;
    seen_ = 0;
    type_.clear();
    priority_.clear();
    idempotency_key_.clear();
    return true;
  }
  bool on_object_end(std::size_t, json::error_code& ec) {
    --depth_;
    at_ = member::none; // a value after the task (in the batch array) is no member
    return finish(tasks_.back()) || stop(ec);
  }

  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    at_ = member_for(key_);
    key_.clear();
    const auto bit = 1u << static_cast<unsigned>(at_);
    if (at_ == member::none || (seen_ & bit))
      return stop(ec); // unknown, params, or a duplicate key
    seen_ |= bit;
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t, json::error_code& ec) {
    return append(s) || stop(ec);
  }
  bool on_string(json::string_view s, std::size_t, json::error_code& ec) {
    return append(s) || stop(ec);
  }

  bool on_int64(std::int64_t i, json::string_view, json::error_code& ec) {
    if (at_ != member::max_attempts || i < 1 || i > 10)
      return stop(ec);
    tasks_.back().max_attempts = static_cast<std::uint8_t>(i);
    return true;
  }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code& ec) {
    return stop(ec); // above INT64_MAX: never a valid max_attempts
  }

  // Nothing plain takes these; parse_task says what is wrong with them.
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code& ec) { return stop(ec); }
  bool on_bool(bool, json::error_code& ec) { return stop(ec); }
  bool on_null(json::error_code& ec) { return stop(ec); }
  bool on_comment_part(json::string_view, json::error_code& ec) { return stop(ec); }
  bool on_comment(json::string_view, json::error_code& ec) { return stop(ec); }

private:
  static bool stop(json::error_code& ec) {
    ec = json::error::exception; // any error: the caller only sees "not plain"
    return false;
  }

  // A string value, or a piece of one, for member at_ (none: a string
  // that is no task member, e.g. in the batch array itself).
  bool append(json::string_view s) {
    if (at_ == member::none)
      return false;
    task& t = tasks_.back();
    switch (at_) {
      case member::type: type_.append(s.data(), s.size()); return true;
      case member::payload: t.payload.append(s.data(), s.size()); return true;
      case member::priority: priority_.append(s.data(), s.size()); return priority_.size() <= 6;
      case member::idempotency_key:
        idempotency_key_.append(s.data(), s.size());
        return idempotency_key_.size() <= limits_.max_idempotency_key;
      default: return false; // max_attempts as a string
    }
  }

  // The task object ended: decide it as parse_task would, or give up.
  bool finish(task& t) {
    const std::string_view type = has(member::type) ? std::string_view(type_) : "echo";
    const op_definition* def = ops_.find(type, &t.op);
    // A JSON payload is stored as Boost.JSON serializes it, and an op's
    // params check might want params: both are the general path's.
    if (!def || def->payload != payload_kind::text)
      return false;
    if (def->validate && def->validate(json::object{}))
      return false;
    if (has(member::priority)) {
      if (priority_ == "high")
        t.prio = priority::high;
      else if (priority_ != "normal")
        return false;
    }
    if (has(member::idempotency_key)) {
      if (idempotency_key_.empty())
        return false;
      t.idempotency_key.assign(idempotency_key_);
    }
    t.id = task_id::generate();
    t.submitted_at = now_us();
    t.attempts = 0;
    return true;
  }

  bool has(member m) const noexcept { return seen_ & (1u << static_cast<unsigned>(m)); }

  const bool batch_;
  const op_registry& ops_;
  const codec_limits& limits_;
  std::vector<task> tasks_;
  int depth_ = 0;         // 0 outside, 1 in the batch array or the task, 2 in a batch's task
  member at_ = member::none;
  unsigned seen_ = 0;     // members of the current task seen so far, by bit
  std::string key_;       // a key arriving in pieces
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
  json::error_code ec;
  const std::size_t used = p.write_some(false, body.data(), body.size(), ec);
  if (ec || used != body.size() || !p.done())
    return std::nullopt;
  return std::move(p.handler().tasks());
}

} // namespace taskmesh
