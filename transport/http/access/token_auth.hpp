// File: transport/http/access/token_auth.hpp
// The live token table of --auth-tokens-file: read at start-up, read again
// on reload (SIGHUP). A reload builds a whole new immutable table and swaps
// it in atomically, so requests in flight keep the table they started with
// and none is refused while the file changes. A file that does not read or
// parse on reload keeps the old table, and the log says why.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "transport/http/access/token_table.hpp"

namespace taskmesh::http {

class token_auth {
public:
  // Reads `path`; throws std::runtime_error("--auth-tokens-file <path>: <why>").
  explicit token_auth(std::string path);

  // The tenant of the token in an Authorization header value
  // ("Bearer <token>", scheme case-insensitive), or nullopt for a missing,
  // malformed or unknown one.
  std::optional<std::string> tenant_of_header(std::string_view authorization) const;

  // Reads the file again. On success swaps the table in and returns true;
  // otherwise keeps the old one, logs why at error level, returns false.
  bool reload();

  const std::string& path() const noexcept { return path_; }

private:
  std::string path_;
  std::atomic<std::shared_ptr<const token_table>> table_;
};

// The token of an Authorization header value, or "" when it is not
// `Bearer <token>` (one or more spaces after the scheme).
std::string_view bearer_token(std::string_view authorization) noexcept;

} // namespace taskmesh::http
