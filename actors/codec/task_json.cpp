// File: actors/codec/task_json.cpp
// Response side of the codec: task records and API errors -> JSON text.
// GET /task/{id} is the hot read path, so the text is appended into one
// reserved string; the stored result (already serialized JSON) goes in raw
// instead of being parsed and written again.
#include "actors/codec/task_codec.hpp"

#include <string>

#include <boost/json/serializer.hpp>

#include "actors/codec/utf8.hpp"
#include "actors/model/decimal.hpp"

namespace taskmesh {

namespace json = boost::json;

namespace {

// Error texts can carry bytes an op copied from a payload; a bad byte becomes
// U+FFFD so that the response stays valid JSON (Boost's serializer copies
// bytes through unchecked).
std::string replace_invalid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8::sequence_length(s, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

// Appends `s` as a JSON string literal. Plain printable ASCII (ids, names,
// most messages) is copied as is; anything else goes through Boost.JSON's
// escaping, streamed straight into `out`.
void append_string(std::string& out, std::string_view s) {
  bool plain = true;
  bool ascii = true;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == '"' || c == '\\') plain = false;
    if (c >= 0x80) ascii = plain = false;
  }
  if (plain) {
    out.push_back('"');
    out.append(s);
    out.push_back('"');
    return;
  }
  std::string cleaned;
  if (!ascii) {
    if (!utf8::valid(s)) {
      cleaned = replace_invalid_utf8(s);
      s = cleaned;
    }
  }
  json::serializer sr;
  sr.reset(json::string_view(s.data(), s.size()));
  char buf[512];
  while (!sr.done()) {
    const json::string_view chunk = sr.read(buf, sizeof buf);
    out.append(chunk.data(), chunk.size());
  }
}

void append_timestamp(std::string& out, timestamp t) {
  if (t == 0) {
    out.append("null");
    return;
  }
  out.push_back('"');
  out.append(to_rfc3339(t));
  out.push_back('"');
}

} // namespace

std::string record_to_json(const task_record& r, const op_registry& ops) {
  // A record with an op index this build does not know renders "type":null
  // rather than reading past the table.
  const bool known_op = r.op < ops.size();
  const std::string_view type = known_op ? ops.name(r.op) : std::string_view();

  std::string out;
  // Keys, punctuation, id, four timestamps: about 300 bytes; the rest varies.
  out.reserve(320 + type.size() + r.result.size() + r.error.size() + r.error.size() / 4);

  out.append("{\"id\":\"");
  const std::size_t at = out.size();
  out.resize(at + 36);
  r.id.write_to(out.data() + at);
  out.append("\",\"type\":");
  if (known_op) {
    append_string(out, type);
  } else {
    out.append("null");
  }
  out.append(",\"status\":\"").append(to_string(r.status));
  out.append("\",\"priority\":\"").append(to_string(r.prio));
  out.append("\",\"attempts\":");
  append_decimal(out, r.attempts);
  out.append(",\"max_attempts\":");
  append_decimal(out, r.max_attempts);
  out.append(",\"submitted_at\":");
  append_timestamp(out, r.submitted_at);
  out.append(",\"started_at\":");
  append_timestamp(out, r.started_at);
  out.append(",\"finished_at\":");
  append_timestamp(out, r.finished_at);
  out.append(",\"next_attempt_at\":");
  append_timestamp(out, r.next_attempt_at);
  out.append(",\"result\":");
  // Ops produce `result` with boost::json::serialize, so it is valid JSON.
  out.append(r.result.empty() ? std::string_view("null") : std::string_view(r.result));
  out.append(",\"error\":");
  if (r.error.empty()) {
    out.append("null");
  } else {
    append_string(out, r.error);
  }
  out.push_back('}');
  return out;
}

std::string error_to_json(const api_error& e) {
  std::string out;
  out.reserve(48 + e.code.size() + e.message.size() + e.field.size());
  out.append("{\"error\":{\"code\":");
  append_string(out, e.code);
  out.append(",\"message\":");
  append_string(out, e.message);
  if (!e.field.empty()) {
    out.append(",\"field\":");
    append_string(out, e.field);
  }
  out.append("}}");
  return out;
}

} // namespace taskmesh
