// File: transport/http/access/gate.hpp
// The access gate: the step the router runs before every handler, so a new
// route is covered without doing anything. It answers two questions:
//   who is calling?  with --auth-tokens-file, the tenant named by the
//                    request's bearer token (401 `unauthorized` otherwise);
//                    without it, the default tenant "".
//   may they now?    with --rate-limit, one token from the caller's bucket
//                    (the tenant's, or the client IP's without tokens);
//                    429 `rate_limited` with Retry-After otherwise.
// Routes marked `open` (health, and whatever must load before a client has a
// token) skip both; /metrics is `metrics`: open only with --metrics-public.
// A route whose cost depends on the body (POST /tasks: one per task) is
// marked per_task; the router then leaves the charge to its handler
// (charge()).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <boost/asio/ip/address.hpp>

#include "transport/http/access/access_config.hpp"
#include "transport/http/types.hpp"

namespace taskmesh::http {

class token_auth;
class rate_limiter;

enum class route_access : std::uint8_t {
  token,   // needs a bearer token when tokens are configured (the default)
  open,    // never needs one, never rate limited
  metrics, // like token, or open with --metrics-public
};

enum class route_cost : std::uint8_t {
  per_request, // the router takes 1 from the bucket
  per_task,    // the handler charges once it knows the number of tasks
};

// Who a request comes from, as the gate established it.
struct caller {
  std::string tenant; // "" = the default tenant (no tokens file)
  std::string bucket; // rate-limit key; "" when rate limits are off or the route is open
};

class access_gate {
public:
  // Reads the tokens file, if any: throws std::runtime_error naming the flag.
  explicit access_gate(const access_config& config);
  ~access_gate();

  // The caller, or the 401/429 to send instead.
  std::variant<caller, response> admit(const request& req, route_access access,
                                       route_cost cost,
                                       const boost::asio::ip::address& client) const;

  // For per_task routes: takes `tasks` from the caller's bucket, or the 429
  // to send. nullopt: go on.
  std::optional<response> charge(const request& req, const caller& who, std::size_t tasks) const;

  // SIGHUP: re-reads the tokens file (see token_auth::reload). False when
  // there is no file or it did not load (the old tokens stay).
  bool reload_tokens();

  bool authenticates() const noexcept { return tokens_ != nullptr; }
  bool limits_rate() const noexcept { return limiter_ != nullptr; }

private:
  bool metrics_public_;
  std::unique_ptr<token_auth> tokens_;
  std::unique_ptr<rate_limiter> limiter_;
};

} // namespace taskmesh::http
