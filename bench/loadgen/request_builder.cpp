// File: bench/loadgen/request_builder.cpp
#include "bench/loadgen/request_builder.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace taskmesh::loadgen {

namespace {

constexpr std::string_view lorem_words =
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut "
    "labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco "
    "laboris nisi ut aliquip ex ea commodo consequat ";

} // namespace

std::string lorem(std::size_t n) {
  std::string out;
  out.reserve(n);
  while (out.size() < n) out.append(lorem_words.substr(0, n - out.size()));
  // A trailing space would make the last word count differ by run length.
  if (!out.empty() && out.back() == ' ') out.back() = 'x';
  return out;
}

std::string task_body(std::string_view op, std::size_t bytes, std::string_view params) {
  // serialize() quotes and escapes the op, so any --op value stays valid JSON.
  std::string head = "{\"type\":" + boost::json::serialize(boost::json::string(op));
  if (!params.empty()) head.append(",\"params\":").append(params);
  head += ",\"payload\":\"";
  constexpr std::string_view tail = "\"}";
  const std::size_t envelope = head.size() + tail.size();
  const std::size_t text = bytes > envelope ? bytes - envelope : 1;
  head += lorem(text);
  head += tail;
  return head;
}

std::string batch_body(std::string_view op, std::size_t bytes_per_task, std::size_t count,
                       std::string_view params) {
  const std::string one = task_body(op, bytes_per_task, params);
  std::string out;
  out.reserve(2 + count * (one.size() + 1));
  out += '[';
  for (std::size_t i = 0; i < count; ++i) {
    if (i) out += ',';
    out += one;
  }
  out += ']';
  return out;
}

request_shape shape_for(const load_config& cfg) {
  request_shape s;
  switch (cfg.target) {
    case target_kind::task:
      s = {"POST", "/task", task_body(cfg.op, cfg.payload_bytes, cfg.params), 1};
      break;
    case target_kind::tasks:
      s = {"POST", "/tasks", batch_body(cfg.op, cfg.payload_bytes, cfg.batch, cfg.params),
           cfg.batch};
      break;
    case target_kind::raw: s = {"GET", "/", "", 0}; break;
  }
  if (!cfg.method.empty()) s.method = cfg.method;
  if (!cfg.path.empty()) s.path = cfg.path;
  return s;
}

std::string serialize_request(std::string_view method, std::string_view target,
                              std::string_view host_header, std::string_view body,
                              const std::vector<std::string>& extra_headers) {
  std::string out;
  out.reserve(128 + body.size());
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  out.append("Host: ").append(host_header).append("\r\n");
  out.append("User-Agent: taskmesh-loadgen\r\n");
  for (const auto& h : extra_headers) out.append(h).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    out.append("Content-Type: application/json\r\n");
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

std::string host_header(std::string_view host, std::string_view port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  std::string out;
  if (v6)
    out.append("[").append(host).append("]");
  else
    out.append(host);
  return out.append(":").append(port);
}

} // namespace taskmesh::loadgen
