// File: transport/http/access/token_table.hpp
// The parsed --auth-tokens-file: which bearer token belongs to which tenant.
// Immutable once built; token_auth swaps whole tables on reload.
//
// File format, one entry per line: `name:token`. Blank lines and lines
// starting with `#` are ignored; spaces around name and token and a CR
// before the LF are trimmed. A name (the tenant) is 1-64 of [A-Za-z0-9._-];
// a token is 16-4096 characters of RFC 6750's b64token set
// ([A-Za-z0-9-._~+/] then optional '='), so it can be sent as
// `Authorization: Bearer <token>`. A name may have several tokens (that is
// how rotation works); a token may not belong to two names.
//
// Only SHA-256 digests of the tokens are kept, and a lookup compares the
// presented token's digest with every entry in constant time
// (CRYPTO_memcmp, no early exit), so neither timing nor a memory dump gives
// a token away. Parse errors name the line and never quote the token.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace taskmesh::http {

inline constexpr std::size_t min_token_length = 16;
inline constexpr std::size_t max_token_length = 4096;
inline constexpr std::size_t max_tenant_length = 64;

class token_table {
public:
  using digest = std::array<unsigned char, 32>;

  // The table, or a message such as "line 3: token shorter than 16 characters".
  static std::variant<token_table, std::string> parse(std::string_view text);

  // The tenant whose token this is, or nullopt.
  std::optional<std::string> tenant_of(std::string_view token) const;

  std::size_t tokens() const noexcept { return entries_.size(); }
  std::size_t tenants() const;

private:
  struct entry {
    std::string tenant;
    digest hash;
  };
  std::vector<entry> entries_;
};

bool is_valid_tenant_name(std::string_view name) noexcept;

} // namespace taskmesh::http
