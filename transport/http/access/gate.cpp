// File: transport/http/access/gate.cpp
#include "transport/http/access/gate.hpp"

#include <cmath>

#include "transport/http/access/rate_limiter.hpp"
#include "transport/http/access/token_auth.hpp"
#include "transport/http/responses.hpp"

namespace taskmesh::http {
namespace {

response unauthorized(const request& req, bool has_header) {
  auto res = error_response(req, bhttp::status::unauthorized, "unauthorized",
                            has_header ? "the bearer token is malformed or not known"
                                       : "this route needs Authorization: Bearer <token>");
  res.set(bhttp::field::www_authenticate, "Bearer");
  return res;
}

response rate_limited(const request& req, std::uint32_t retry_after_s) {
  auto res = error_response(req, bhttp::status::too_many_requests, "rate_limited",
                            "rate limit exceeded; retry after " + std::to_string(retry_after_s) +
                              " s");
  res.set(bhttp::field::retry_after, std::to_string(retry_after_s));
  return res;
}

} // namespace

access_gate::access_gate(const access_config& c) : metrics_public_(c.metrics_public) {
  if (!c.auth_tokens_file.empty())
    tokens_ = std::make_unique<token_auth>(c.auth_tokens_file);
  if (c.rate_limit > 0)
    limiter_ = std::make_unique<rate_limiter>(
      c.rate_limit, c.rate_burst > 0 ? c.rate_burst : std::max(1.0, std::ceil(c.rate_limit)));
}

access_gate::~access_gate() = default;

std::variant<caller, response> access_gate::admit(const request& req, route_access access,
                                                  route_cost cost,
                                                  const boost::asio::ip::address& client) const {
  if (access == route_access::open || (access == route_access::metrics && metrics_public_))
    return caller{};
  caller who;
  if (tokens_) {
    const auto header = req[bhttp::field::authorization];
    auto tenant = tokens_->tenant_of_header(header);
    if (!tenant)
      return unauthorized(req, !header.empty());
    who.tenant = std::move(*tenant);
  }
  if (!limiter_)
    return who;
  who.bucket = tokens_ ? who.tenant : client.to_string();
  if (cost == route_cost::per_request) {
    if (auto v = limiter_->take(who.bucket, 1); !v.allowed)
      return rate_limited(req, v.retry_after_s);
  }
  return who;
}

std::optional<response> access_gate::charge(const request& req, const caller& who,
                                            std::size_t tasks) const {
  if (!limiter_ || who.bucket.empty())
    return std::nullopt;
  if (auto v = limiter_->take(who.bucket, static_cast<double>(std::max<std::size_t>(tasks, 1)));
      !v.allowed)
    return rate_limited(req, v.retry_after_s);
  return std::nullopt;
}

bool access_gate::reload_tokens() {
  return tokens_ && tokens_->reload();
}

} // namespace taskmesh::http
