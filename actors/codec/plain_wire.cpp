// File: actors/codec/plain_wire.cpp
// Task messages of the common shape read without a JSON document
// (contract: plain_tasks_from_wire in task_codec.hpp).
//
// Why: a worker pod decodes every task it is delivered, and building a
// Boost.JSON document of the message, then reading it, was 6,985
// instructions per task under callgrind (docs/benchmarks.md). As
// plain_tasks.cpp does for requests, Boost.JSON's SAX parser hands its
// events to a handler that fills the tasks in place; it takes only what it
// decodes exactly as task_from_object does and stops at anything else
// (params, a JSON op's payload, a number that is not an int64, a member it
// does not know, an invalid field), so the general decoder reads that
// message and says what is wrong with each task.
#include "actors/codec/task_codec.hpp"

#include <array>
#include <limits>

#include "actors/codec/plain_reader.hpp"
#include "actors/codec/task_members.hpp"
#include "actors/codec/task_rules.hpp"

namespace taskmesh {

namespace json = boost::json;

namespace {

using member = task_members::wire;

// The members a plain message carries as strings, and as int64s; params
// are neither (the general decoder reads them).
bool is_text(member m) {
  switch (m) {
    case member::id: case member::type: case member::payload: case member::priority:
    case member::idempotency_key: case member::traceparent: case member::tenant: return true;
    default: return false;
  }
}

bool is_number(member m) {
  switch (m) {
    case member::v: case member::max_attempts: case member::delay_ms: case member::submitted_at:
    case member::attempts: case member::retry_at: return true;
    default: return false;
  }
}

// Task messages: an array of task objects, or one; what both decoders
// share is plain_reader.hpp.
class plain_wire_handler : public plain::task_reader<plain_wire_handler, member> {
public:
  explicit plain_wire_handler(const op_registry& ops)
    : task_reader(plain::shape::either, std::numeric_limits<std::size_t>::max()), ops_(ops) {}

  void start_task() {
    for (auto& s : text_)
      s.clear();
  }

  bool on_int64(std::int64_t i, json::string_view, json::error_code& ec) {
    if (!is_number(at()))
      return stop(ec);
    number_[static_cast<std::size_t>(at())] = i;
    return true;
  }

  static member member_for(std::string_view key) { return task_members::wire_member(key); }

  // A string value, or a piece of one, for member m.
  bool append(member m, json::string_view s) {
    if (!is_text(m))
      return false; // params, or a number member as a string
    if (m == member::payload)
      tasks().back().payload.append(s.data(), s.size());
    else
      text_[static_cast<std::size_t>(m)].append(s.data(), s.size());
    return true;
  }

  // The task object ended: decode it as task_from_object would, or give up.
  bool finish(task& t) {
    if (number(member::v) != task_wire_version || !has(member::id) || !has(member::type))
      return false;
    const auto id = task_id::parse(text(member::id));
    const op_definition* def = ops_.find(text(member::type), &t.op);
    if (!id || !def || def->payload != payload_kind::text)
      return false;
    t.id = *id;
    const task_rules::wire_scalars scalars{text(member::priority),
                                           number(member::max_attempts),
                                           number(member::delay_ms),
                                           number(member::submitted_at),
                                           number(member::attempts),
                                           number(member::retry_at)};
    if (!task_rules::assign_wire_scalars(scalars, t).empty())
      return false;
    t.idempotency_key = text(member::idempotency_key);
    t.traceparent = text(member::traceparent);
    t.tenant = text(member::tenant);
    return true;
  }

private:
  const std::string& text(member m) const { return text_[static_cast<std::size_t>(m)]; }
  std::optional<std::int64_t> number(member m) const {
    if (!has(m))
      return std::nullopt;
    return number_[static_cast<std::size_t>(m)];
  }

  const op_registry& ops_;
  static constexpr auto members = static_cast<std::size_t>(member::count);
  std::array<std::string, members> text_;
  std::array<std::int64_t, members> number_{};
};

} // namespace

std::optional<std::vector<task>> plain_tasks_from_wire(std::string_view bytes,
                                                       const op_registry& ops) {
  json::basic_parser<plain_wire_handler> p({}, ops);
  if (!plain::parse_all(p, bytes))
    return std::nullopt;
  return std::move(p.handler().tasks());
}

} // namespace taskmesh
