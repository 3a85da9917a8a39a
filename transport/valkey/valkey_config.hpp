// File: transport/valkey/valkey_config.hpp
// Where the Valkey server is and how long to wait for it: a plain struct that
// the application's configuration table fills (from --valkey URL plus
// timeout flags) and hands to one client per detached actor.
//
// No TLS: hiredis 0.14.1 (Debian's libhiredis) has none, so rediss:// URLs
// are refused. To reach a server over an untrusted network, run a TLS
// tunnel next to taskmesh (stunnel, spiped, or a sidecar proxy) and point
// redis:// at its loopback end.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "transport/valkey/valkey_error.hpp"

namespace taskmesh::valkey {

struct valkey_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string user;     // ACL user; empty: AUTH <password> (the "default" user)
  std::string password; // empty: no AUTH
  int db = 0;           // SELECT after connecting when not 0

  // Bounds on every blocking call (see client.hpp for what each covers).
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds command_timeout{1000};

  // Reconnect backoff: after a failed connect attempt the next one waits
  // reconnect_min, doubling up to reconnect_max; a success resets it.
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{2000};
};

// Parses redis://[[user:]password@]host[:port][/db] into a copy of
// `defaults` (timeouts and backoff are kept; host, port, user, password and
// db come from the URL; port defaults to 6379, db to 0). As in redis-cli,
// userinfo without ':' is a password; user and password are
// percent-decoded. IPv6 hosts go in brackets: redis://[::1]:6379.
// Errors: tls_unsupported for rediss://, bad_url for anything else that is
// not such a URL (other schemes, empty host, port outside 1..65535, db not a
// non-negative number, query strings). Messages never quote the password.
result<valkey_config> parse_url(std::string_view url, const valkey_config& defaults = {});

// redis://user:***@host:port/db: safe for logs and error messages.
std::string redacted_url(const valkey_config& c);

} // namespace taskmesh::valkey
