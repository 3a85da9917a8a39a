// File: transport/valkey/valkey_error.hpp
// Errors of the Valkey layer: an error_code in the "valkey" category plus a
// message, and result<T> (a value or such an error). valkey_error.cpp is the
// one place where hiredis context errors and error replies become these.
// Messages never contain the password.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

struct redisContext;
struct redisReply;

namespace taskmesh::valkey {

enum class errc {
  io = 1,           // read/write failed on an open connection (reset, broken pipe)
  eof,              // the server closed the connection
  timeout,          // connect_timeout or command_timeout passed
  connect_failed,   // TCP connect failed (refused, unreachable, name not resolved)
  protocol,         // the server sent something that is not RESP
  out_of_memory,    // hiredis could not allocate
  not_connected,    // down; the next reconnect attempt is still in the future
  auth_failed,      // AUTH refused (wrong password or user), or AUTH required
  server_error,     // an error reply (-ERR, -WRONGTYPE, -OOM, -BUSY, ...)
  unexpected_reply, // a reply of a type or shape the caller did not expect
  bad_record,       // a stored task record that does not decode
  bad_url,          // a connection URL that does not parse
  tls_unsupported,  // rediss://: hiredis 0.14.1 has no TLS
  not_replicated,   // WAIT: fewer replicas acknowledged the writes than required
};

} // namespace taskmesh::valkey

template <>
struct std::is_error_code_enum<taskmesh::valkey::errc> : std::true_type {};

namespace taskmesh::valkey {

const std::error_category& valkey_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), valkey_category()};
}

struct error {
  std::error_code code;
  std::string message;

  // The connection is gone (reset or closed by the peer): a fresh connection
  // may succeed at once. Timeouts are not included (the server may be busy).
  bool connection_lost() const noexcept {
    return code == errc::io || code == errc::eof;
  }
};

// A value or an error. Small on purpose: C++20 has no std::expected.
template <class T>
class [[nodiscard]] result {
public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  result(error e) : v_(std::in_place_index<1>, std::move(e)) {}

  explicit operator bool() const noexcept { return v_.index() == 0; }
  bool has_value() const noexcept { return v_.index() == 0; }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const error& err() const& { return std::get<1>(v_); }
  error&& err() && { return std::get<1>(std::move(v_)); }

private:
  std::variant<T, error> v_;
};

template <>
class [[nodiscard]] result<void> {
public:
  result() = default;
  result(error e) : e_(std::move(e)) {}

  explicit operator bool() const noexcept { return !e_; }
  bool has_value() const noexcept { return !e_; }
  const error& err() const& { return *e_; }
  error&& err() && { return std::move(*e_); }

private:
  std::optional<error> e_;
};

// --- The one place where C-level and reply-level failures become errors ---

// Where a context error happened, so the code can say what failed.
enum class phase { connect, command };

// After a hiredis call on `c` failed. `saved_errno` is errno right after
// that call (hiredis reports a socket timeout as an I/O error with EAGAIN).
// `what` names the operation for the message ("connect 10.0.0.5:6379").
error context_error(const redisContext* c, int saved_errno, phase p, std::string_view what);

// nullopt if `r` is not an error reply. NOAUTH / WRONGPASS, or any error
// answering AUTH (`command`), -> auth_failed; anything else -> server_error.
// The message is the server's text.
std::optional<error> reply_error(const redisReply* r, std::string_view command = {});

// A reply of the wrong type (or a null pointer): unexpected_reply, naming
// what was expected and, for error replies, the server's text.
error unexpected(const redisReply* r, std::string_view expected);

} // namespace taskmesh::valkey
