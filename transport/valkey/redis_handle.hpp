// File: transport/valkey/redis_handle.hpp
// hiredis behind RAII: the only header that includes <hiredis/hiredis.h> for
// the rest of the layer. A context and a reply each live in a unique_ptr
// with a one-line deleter; small accessors read replies without copying.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include <hiredis/hiredis.h>

namespace taskmesh::valkey {

struct context_deleter {
  void operator()(redisContext* c) const noexcept { redisFree(c); }
};
using context_ptr = std::unique_ptr<redisContext, context_deleter>;

struct reply_deleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

// --- Reading replies (views into the reply; valid while it lives) ---

inline bool is_error(const redisReply* r) { return r && r->type == REDIS_REPLY_ERROR; }
inline bool is_nil(const redisReply* r) { return r && r->type == REDIS_REPLY_NIL; }

// Bulk strings and status replies ("OK", "PONG").
inline std::optional<std::string_view> string_of(const redisReply* r) {
  if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS))
    return std::string_view(r->str, r->len);
  return std::nullopt;
}

inline std::optional<long long> integer_of(const redisReply* r) {
  if (r && r->type == REDIS_REPLY_INTEGER)
    return r->integer;
  return std::nullopt;
}

// Array element i, or nullptr when `r` is no array or too short.
inline const redisReply* element(const redisReply* r, std::size_t i) {
  if (r && r->type == REDIS_REPLY_ARRAY && i < r->elements)
    return r->element[i];
  return nullptr;
}

} // namespace taskmesh::valkey
