// File: transport/http/access/access_config.hpp
// Who may use the API and how much: the slice of the configuration the
// access gate (gate.hpp) and the server's per-IP connection cap receive.
// Everything is off by default: no tokens file means one default tenant and
// open routes, as before.
#pragma once

#include <cstdint>
#include <string>

namespace taskmesh::http {

struct access_config {
  std::string auth_tokens_file;       // "" = no authentication, one default tenant
  bool metrics_public = false;        // GET /metrics without a token
  double rate_limit = 0;              // requests (tasks, for a batch) per second per bucket; 0 = off
  double rate_burst = 0;              // bucket size; 0 = max(1, rate_limit)
};

} // namespace taskmesh::http
