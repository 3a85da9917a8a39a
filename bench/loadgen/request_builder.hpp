// File: bench/loadgen/request_builder.hpp
// The bytes a run puts on the wire. Bodies are built once per run and the
// whole request is serialized once, so every request of a run is identical
// and the same command pointed at nginx (answering a fixed 202) sends exactly
// the same bytes as against taskmesh: that is how ceilings are measured.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bench/loadgen/config.hpp"

namespace taskmesh::loadgen {

// Filler text for payloads: "lorem ipsum dolor ..." cut to exactly n bytes
// (plain ASCII words, so wordcount has something to count and no JSON
// escaping is needed).
std::string lorem(std::size_t n);

// {"type":<op>,"payload":"lorem ..."} of exactly `bytes` bytes when that is
// at least the envelope plus one payload byte; otherwise the smallest such
// object (a one-byte payload). Non-empty `params` (a JSON object's text)
// goes in as "params" and counts towards the envelope.
std::string task_body(std::string_view op, std::size_t bytes, std::string_view params = {});

// A JSON array of `count` task_body objects (each `bytes_per_task` bytes).
std::string batch_body(std::string_view op, std::size_t bytes_per_task, std::size_t count,
                       std::string_view params = {});

// The request line and body a target implies, after --method/--path.
struct request_shape {
  std::string method;
  std::string path;
  std::string body;              // "" for GET-style requests
  std::size_t tasks_per_request; // 1 for task, batch for tasks, 0 for raw
};
request_shape shape_for(const load_config& cfg);

// A complete HTTP/1.1 request: request line, Host, User-Agent, the
// `extra_headers` lines ("Name: value", e.g. Authorization), and for a body
// Content-Type: application/json and Content-Length. Keep-alive is
// HTTP/1.1's default, so no Connection header.
std::string serialize_request(std::string_view method, std::string_view target,
                              std::string_view host_header, std::string_view body,
                              const std::vector<std::string>& extra_headers = {});

// "host:port", with brackets for IPv6 literals.
std::string host_header(std::string_view host, std::string_view port);

} // namespace taskmesh::loadgen
