// File: actors/model/trace_context.hpp
// W3C Trace Context (traceparent) for following one task across pods: taken
// from the submitting request when it is well formed, generated otherwise,
// carried in the task (and as a NATS header in cluster mode), and logged
// where the task is accepted and where it runs.
#pragma once

#include <string>
#include <string_view>

namespace taskmesh {

// "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>", lower case, with
// neither id all zeros (https://www.w3.org/TR/trace-context/#traceparent-header).
bool is_valid_traceparent(std::string_view value) noexcept;

// A new traceparent with random ids, sampled flag set.
std::string new_traceparent();

} // namespace taskmesh
