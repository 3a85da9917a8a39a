// File: transport/http/access/token_table.cpp
#include "transport/http/access/token_table.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace taskmesh::http {
namespace {

token_table::digest sha256(std::string_view text) {
  token_table::digest out{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), out.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != out.size())
    throw std::runtime_error("OpenSSL SHA-256 failed");
  return out;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r";
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos)
    return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

bool is_b64token(std::string_view t) {
  std::size_t i = 0;
  auto is_char = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  };
  while (i < t.size() && is_char(t[i]))
    ++i;
  if (i == 0)
    return false;
  while (i < t.size() && t[i] == '=')
    ++i;
  return i == t.size();
}

std::string at_line(std::size_t n, std::string_view what) {
  return "line " + std::to_string(n) + ": " + std::string{what};
}

} // namespace

bool is_valid_tenant_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > max_tenant_length)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

std::variant<token_table, std::string> token_table::parse(std::string_view text) {
  token_table table;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    const auto line = trim(raw);
    if (line.empty() || line.front() == '#')
      continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos)
      return at_line(line_no, "expected name:token");
    const auto name = trim(line.substr(0, colon));
    const auto token = trim(line.substr(colon + 1));
    if (!is_valid_tenant_name(name))
      return at_line(line_no, "tenant name must be 1-64 characters of A-Z a-z 0-9 . _ -");
    if (token.size() < min_token_length)
      return at_line(line_no, "token shorter than " + std::to_string(min_token_length) +
                                " characters");
    if (token.size() > max_token_length)
      return at_line(line_no, "token longer than " + std::to_string(max_token_length) +
                                " characters");
    if (!is_b64token(token))
      return at_line(line_no, "token has characters a Bearer header cannot carry "
                              "(allowed: A-Z a-z 0-9 - . _ ~ + / and trailing =)");
    table.entries_.push_back({std::string{name}, sha256(token)});
  }
  if (table.entries_.empty())
    return std::string{"no tokens (every request would be refused)"};
  std::map<digest, std::string_view> owner;
  for (const auto& e : table.entries_) {
    auto [at, inserted] = owner.try_emplace(e.hash, e.tenant);
    if (!inserted && at->second != e.tenant)
      return "the same token is given to tenants '" + std::string{at->second} + "' and '" +
             e.tenant + "'";
  }
  return table;
}

std::optional<std::string> token_table::tenant_of(std::string_view token) const {
  const auto presented = sha256(token);
  const entry* match = nullptr;
  // Every entry is compared, whatever matched before: the time taken does
  // not depend on where (or whether) the token is in the table.
  for (const auto& e : entries_) {
    const bool equal = CRYPTO_memcmp(e.hash.data(), presented.data(), presented.size()) == 0;
    match = equal ? &e : match;
  }
  if (!match)
    return std::nullopt;
  return match->tenant;
}

std::size_t token_table::tenants() const {
  std::set<std::string_view> names;
  for (const auto& e : entries_)
    names.insert(e.tenant);
  return names.size();
}

} // namespace taskmesh::http
