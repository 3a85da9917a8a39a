// File: transport/http/access/token_auth.cpp
#include "transport/http/access/token_auth.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <variant>

#include <boost/beast/core/string.hpp>
#include <spdlog/spdlog.h>

namespace taskmesh::http {
namespace {

// The table in `path`, or why not. Messages name the file and the line,
// never a token.
std::variant<token_table, std::string> load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::string{"cannot be read"};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return std::string{"cannot be read"};
  return token_table::parse(text.str());
}

} // namespace

std::string_view bearer_token(std::string_view authorization) noexcept {
  constexpr std::string_view scheme = "bearer";
  if (authorization.size() <= scheme.size() ||
      !boost::beast::iequals(authorization.substr(0, scheme.size()), scheme) ||
      authorization[scheme.size()] != ' ')
    return {};
  auto token = authorization.substr(scheme.size());
  token.remove_prefix(std::min(token.find_first_not_of(' '), token.size()));
  while (!token.empty() && token.back() == ' ')
    token.remove_suffix(1);
  if (token.find(' ') != std::string_view::npos)
    return {};
  return token;
}

token_auth::token_auth(std::string path) : path_(std::move(path)) {
  auto loaded = load(path_);
  if (auto* why = std::get_if<std::string>(&loaded))
    throw std::runtime_error("--auth-tokens-file " + path_ + ": " + *why);
  auto table = std::make_shared<const token_table>(std::move(std::get<token_table>(loaded)));
  spdlog::info("auth: {} tokens for {} tenants from {}", table->tokens(), table->tenants(), path_);
  table_.store(std::move(table));
}

std::optional<std::string> token_auth::tenant_of_header(std::string_view authorization) const {
  const auto token = bearer_token(authorization);
  if (token.empty())
    return std::nullopt;
  return table_.load()->tenant_of(token);
}

bool token_auth::reload() {
  auto loaded = load(path_);
  if (auto* why = std::get_if<std::string>(&loaded)) {
    spdlog::error("auth: reload of {} failed, keeping the previous tokens: {}", path_, *why);
    return false;
  }
  auto table = std::make_shared<const token_table>(std::move(std::get<token_table>(loaded)));
  spdlog::info("auth: reloaded {}: {} tokens for {} tenants", path_, table->tokens(),
               table->tenants());
  table_.store(std::move(table));
  return true;
}

} // namespace taskmesh::http
