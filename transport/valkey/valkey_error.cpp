// File: transport/valkey/valkey_error.cpp
// The "valkey" error category and the conversions from hiredis context
// errors and error replies: every caller goes through these three functions.
#include "transport/valkey/valkey_error.hpp"

#include <cerrno>

#include <hiredis/hiredis.h>

namespace taskmesh::valkey {
namespace {

class category final : public std::error_category {
public:
  const char* name() const noexcept override { return "valkey"; }

  std::string message(int code) const override {
    switch (static_cast<errc>(code)) {
      case errc::io: return "I/O error on the Valkey connection";
      case errc::eof: return "Valkey closed the connection";
      case errc::timeout: return "Valkey did not answer in time";
      case errc::connect_failed: return "cannot connect to Valkey";
      case errc::protocol: return "Valkey protocol error";
      case errc::out_of_memory: return "out of memory in the Valkey client";
      case errc::not_connected: return "not connected to Valkey";
      case errc::auth_failed: return "Valkey authentication failed";
      case errc::server_error: return "Valkey answered with an error";
      case errc::unexpected_reply: return "unexpected reply from Valkey";
      case errc::bad_record: return "malformed task record in Valkey";
      case errc::bad_url: return "invalid Valkey URL";
      case errc::tls_unsupported: return "TLS is not supported by this Valkey client";
      case errc::not_replicated: return "fewer Valkey replicas hold the write than required";
    }
    return "unknown Valkey error";
  }
};

bool is_timeout_errno(int e) {
  return e == EAGAIN || e == EWOULDBLOCK || e == ETIMEDOUT;
}

std::string_view reply_text(const redisReply* r) {
  return r && r->str ? std::string_view(r->str, r->len) : std::string_view();
}

const char* type_name(int type) {
  switch (type) {
    case REDIS_REPLY_STRING: return "bulk string";
    case REDIS_REPLY_ARRAY: return "array";
    case REDIS_REPLY_INTEGER: return "integer";
    case REDIS_REPLY_NIL: return "nil";
    case REDIS_REPLY_STATUS: return "status";
    case REDIS_REPLY_ERROR: return "error";
  }
  return "unknown";
}

} // namespace

const std::error_category& valkey_category() noexcept {
  static const category instance;
  return instance;
}

error context_error(const redisContext* c, int saved_errno, phase p, std::string_view what) {
  std::string message(what);
  if (!c)
    return {errc::out_of_memory, message + ": cannot allocate a hiredis context"};
  message += ": ";
  message += c->errstr[0] ? c->errstr : "unknown error";
  switch (c->err) {
    case REDIS_ERR_IO:
      // SO_RCVTIMEO/SO_SNDTIMEO expiring shows up as EAGAIN; hiredis's own
      // connect timeout (poll) sets ETIMEDOUT.
      if (is_timeout_errno(saved_errno))
        return {errc::timeout, message};
      return {p == phase::connect ? errc::connect_failed : errc::io, message};
    case REDIS_ERR_EOF:
      return {p == phase::connect ? errc::connect_failed : errc::eof, message};
    case REDIS_ERR_PROTOCOL:
      return {errc::protocol, message};
    case REDIS_ERR_OOM:
      return {errc::out_of_memory, message};
    default: // REDIS_ERR_OTHER: name resolution, socket creation, ...
      if (p == phase::connect)
        return {is_timeout_errno(saved_errno) ? errc::timeout : errc::connect_failed, message};
      return {errc::io, message};
  }
}

std::optional<error> reply_error(const redisReply* r, std::string_view command) {
  if (!r || r->type != REDIS_REPLY_ERROR)
    return std::nullopt;
  const std::string_view text = reply_text(r);
  if (text.starts_with("NOAUTH") || text.starts_with("WRONGPASS") || command == "AUTH")
    return error{errc::auth_failed, std::string(text)};
  return error{errc::server_error, std::string(text)};
}

error unexpected(const redisReply* r, std::string_view expected) {
  std::string message = "expected ";
  message += expected;
  if (!r)
    return {errc::unexpected_reply, message + ", got no reply"};
  message += ", got ";
  message += type_name(r->type);
  if (r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STATUS)
    message.append(": ").append(reply_text(r));
  return {errc::unexpected_reply, message};
}

} // namespace taskmesh::valkey
