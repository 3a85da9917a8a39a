// File: actors/codec/task_members.hpp
// Private to the codec: the member names of a task object, once per form,
// for both of its readers: the document ones (task_request.cpp,
// task_wire.cpp) and the document-free ones (plain_tasks.cpp,
// plain_wire.cpp). `none` (0) is a name the form does not have.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>

namespace taskmesh::task_members {

// A submitted task object (POST /task, POST /tasks).
enum class request : std::uint8_t { none, type, payload, params, priority, idempotency_key, max_attempts };

// By length first: every request member has a distinct length.
inline request request_member(std::string_view key) noexcept {
  switch (key.size()) {
    case 4: return key == "type" ? request::type : request::none;
    case 6: return key == "params" ? request::params : request::none;
    case 7: return key == "payload" ? request::payload : request::none;
    case 8: return key == "priority" ? request::priority : request::none;
    case 12: return key == "max_attempts" ? request::max_attempts : request::none;
    case 15: return key == "idempotency_key" ? request::idempotency_key : request::none;
    default: return request::none;
  }
}

// A task message between processes (task_to_wire). A reader ignores a
// member it does not know: a newer sender's extra.
enum class wire : std::uint8_t {
  none, v, id, type, payload, params, priority, max_attempts, delay_ms, submitted_at,
  idempotency_key, traceparent, tenant, attempts, retry_at, count
};

inline wire wire_member(std::string_view key) noexcept {
  static constexpr std::pair<std::string_view, wire> by_name[] = {
    {"v", wire::v},
    {"id", wire::id},
    {"type", wire::type},
    {"payload", wire::payload},
    {"params", wire::params},
    {"priority", wire::priority},
    {"max_attempts", wire::max_attempts},
    {"delay_ms", wire::delay_ms},
    {"submitted_at", wire::submitted_at},
    {"idempotency_key", wire::idempotency_key},
    {"traceparent", wire::traceparent},
    {"tenant", wire::tenant},
    {"attempts", wire::attempts},
    {"retry_at", wire::retry_at},
  };
  for (const auto& [name, m] : by_name)
    if (key == name)
      return m;
  return wire::none;
}

} // namespace taskmesh::task_members
