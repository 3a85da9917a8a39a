// File: transport/http/streams/sse.hpp
// Server-Sent Events framing (text/event-stream) and the response head every
// event stream starts with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transport/http/types.hpp"

namespace taskmesh::http {

// "event: <name>\nid: <id>\ndata: <data>\n\n". `data` is one line (compact JSON).
void append_sse(std::string& out, std::string_view event, std::uint64_t id, std::string_view data);

// A comment line: keeps idle connections open through proxies.
inline constexpr std::string_view sse_heartbeat = ": keep-alive\n\n";

// 200 text/event-stream, not cached, not buffered by proxies.
response sse_head(const request& req);

// The Last-Event-ID header as a number; nullopt if absent or not a number.
std::optional<std::uint64_t> last_event_id(const request& req);

} // namespace taskmesh::http
