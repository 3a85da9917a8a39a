// File: transport/http/handlers/submission.hpp
// The part POST /task and POST /tasks share: checks on the request before
// its body is parsed, and turning the pipeline's answer into a response.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "transport/http/context.hpp"
#include "transport/http/types.hpp"

namespace taskmesh::http {

// 415 for a non-JSON content type, 503 while draining; nullopt = go on.
std::optional<response> precheck_submission(const request& req, const context& ctx);

// The request's W3C traceparent if well formed, else a new one; every task
// of the submission carries it.
std::string trace_context_of(const request& req);

// 503 for queue_full / unavailable; nullopt when accepted.
std::optional<response> refusal_response(const request& req, const submission_result& r);

} // namespace taskmesh::http
