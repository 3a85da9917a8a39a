// File: transport/http/streams/sse.cpp
#include "transport/http/streams/sse.hpp"

#include <charconv>

#include "actors/model/decimal.hpp"

namespace taskmesh::http {

void append_sse(std::string& out, std::string_view event, std::uint64_t id, std::string_view data) {
  out.append("event: ").append(event).append("\nid: ");
  append_decimal(out, id);
  out.append("\ndata: ").append(data).append("\n\n");
}

response sse_head(const request& req) {
  response res{bhttp::status::ok, req.version()};
  res.set(bhttp::field::content_type, "text/event-stream");
  res.set(bhttp::field::cache_control, "no-cache");
  res.set("X-Accel-Buffering", "no"); // nginx: pass events through at once
  return res;
}

std::optional<std::uint64_t> last_event_id(const request& req) {
  const auto v = req["Last-Event-ID"];
  std::uint64_t id = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
  if (v.empty() || ec != std::errc{} || end != v.data() + v.size())
    return std::nullopt;
  return id;
}

} // namespace taskmesh::http
