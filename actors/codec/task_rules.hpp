// File: actors/codec/task_rules.hpp
// Private to the codec: what a task object's values become, decided once
// for both readers of each form (the document readers, task_request.cpp and
// task_wire.cpp, and the document-free ones, plain_tasks.cpp and
// plain_wire.cpp), so a plain reader takes a task exactly when, and as, the
// general one does.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "actors/model/task.hpp"

namespace taskmesh::task_rules {

// A submitted task object: the type when it names none, and the range of
// its max_attempts.
inline constexpr std::string_view default_type = "echo";
inline constexpr std::int64_t min_attempts = 1;
inline constexpr std::int64_t max_attempts = 10;

// A submission accepted as a new task: its id, its submission time, no
// attempt made yet.
inline void stamp_new(task& t) {
  t.id = task_id::generate();
  t.submitted_at = now_us();
  t.attempts = 0;
}

// A task message's priority and numbers as a reader found them (absent:
// empty / nullopt, which task_to_wire leaves out for the defaults).
struct wire_scalars {
  std::string_view priority;
  std::optional<std::int64_t> max_attempts, delay_ms, submitted_at, attempts, retry_at;
};

// Sets them on `t` (an unknown priority reads as normal); the name of the
// first member out of range, or "" when all fit (task_wire.cpp).
std::string_view assign_wire_scalars(const wire_scalars& s, task& t);

} // namespace taskmesh::task_rules
