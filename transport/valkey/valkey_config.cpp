// File: transport/valkey/valkey_config.cpp
// The redis:// URL parser and its redacted form for logs.
#include "transport/valkey/valkey_config.hpp"

#include <charconv>
#include <limits>
#include <optional>

namespace taskmesh::valkey {
namespace {

error bad_url(std::string message) {
  return {errc::bad_url, "invalid Valkey URL: " + std::move(message)};
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i])
      return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size())
      return std::nullopt;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

template <class Int>
std::optional<Int> parse_decimal(std::string_view text, Int max) {
  if (text.empty() || text.size() > 10)
    return std::nullopt;
  long long v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0 || v > max)
    return std::nullopt;
  return static_cast<Int>(v);
}

} // namespace

result<valkey_config> parse_url(std::string_view url, const valkey_config& defaults) {
  constexpr std::string_view plain = "redis://";
  constexpr std::string_view tls = "rediss://";
  if (iequals_prefix(url, tls))
    return error{errc::tls_unsupported,
                 "rediss:// (TLS) is not supported: hiredis 0.14.1 has no TLS. Run a TLS tunnel "
                 "such as stunnel or spiped next to taskmesh and use redis:// to its local end"};
  if (!iequals_prefix(url, plain))
    return bad_url("expected redis://[[user:]password@]host[:port][/db]");

  valkey_config c = defaults;
  c.user.clear();
  c.password.clear();
  c.port = 6379;
  c.db = 0;
  std::string_view rest = url.substr(plain.size());

  // Userinfo ends at the last '@': host, port and db cannot contain one,
  // so an unencoded password may.
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    std::string_view user, password = userinfo;
    if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      user = userinfo.substr(0, colon);
      password = userinfo.substr(colon + 1);
    }
    auto u = percent_decode(user);
    auto p = percent_decode(password);
    if (!u || !p)
      return bad_url("bad percent-encoding in user or password");
    c.user = std::move(*u);
    c.password = std::move(*p);
  }

  if (rest.find_first_of("?#") != std::string_view::npos)
    return bad_url("query strings and fragments are not supported");

  std::string_view hostport = rest, path;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }

  std::string_view host = hostport, port;
  if (hostport.starts_with('[')) {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos)
      return bad_url("unterminated '[' in IPv6 host");
    host = hostport.substr(1, close - 1);
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':')
        return bad_url("expected ':' after ']'");
      port = after.substr(1);
      if (port.empty())
        return bad_url("empty port");
    }
  } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
    if (port.empty())
      return bad_url("empty port");
  }
  if (host.empty())
    return bad_url("missing host");
  if (host.find(':') != std::string_view::npos && !hostport.starts_with('['))
    return bad_url("IPv6 hosts must be written in brackets, e.g. redis://[::1]:6379");
  c.host = std::string(host);

  if (!port.empty()) {
    const auto p = parse_decimal<std::uint16_t>(port, 65535);
    if (!p || *p == 0)
      return bad_url("port must be a number in 1..65535, got '" + std::string(port) + "'");
    c.port = *p;
  }

  if (!path.empty()) {
    const auto db = parse_decimal<int>(path, std::numeric_limits<int>::max());
    if (!db)
      return bad_url("database must be a non-negative number, got '" + std::string(path) + "'");
    c.db = *db;
  }
  return c;
}

std::string redacted_url(const valkey_config& c) {
  std::string out = "redis://";
  if (!c.user.empty() || !c.password.empty()) {
    out += c.user;
    out += c.password.empty() ? ":@" : ":***@";
  }
  const bool v6 = c.host.find(':') != std::string::npos;
  if (v6)
    out += '[';
  out += c.host;
  if (v6)
    out += ']';
  out += ':';
  out += std::to_string(c.port);
  if (c.db != 0)
    out += '/' + std::to_string(c.db);
  return out;
}

} // namespace taskmesh::valkey
