// File: tests/support/tenants.hpp
// For tests of --auth-tokens-file: a tokens file in a temp dir that a test
// can rewrite (atomically, by rename, as a Kubernetes Secret update does),
// and a client view that sends one tenant's bearer token on every request.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

namespace taskmesh::test_support {

class tokens_file {
public:
  explicit tokens_file(const std::string& text) : dir_(make_temp_dir("taskmesh-tokens")) {
    rewrite(text);
  }
  ~tokens_file() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  tokens_file(const tokens_file&) = delete;
  tokens_file& operator=(const tokens_file&) = delete;

  // Replaces the file's content in one step (write aside, rename over).
  void rewrite(const std::string& text) const {
    const auto aside = dir_ + "/tokens.new";
    {
      std::ofstream out{aside, std::ios::trunc};
      out << text;
      if (!out.flush())
        throw std::runtime_error("cannot write " + aside);
    }
    std::filesystem::rename(aside, path());
  }

  std::string path() const { return dir_ + "/tokens"; }

private:
  std::string dir_;
};

// Two tenants' tokens the tests share, and the file text naming both.
inline const std::string acme_token = "acme-7f3c9a1e5b2d4c6e8a0b";
inline const std::string acme_new_token = "acme-NEW-93b1d2e4f6a8c0e2";
inline const std::string bravo_token = "bravo-1d2e3f4a5b6c7d8e9f0a";
inline std::string two_tenants() {
  return "# test tenants\nacme:" + acme_token + "\n\nbravo:" + bravo_token + "\n";
}

// Requests as one tenant: `Authorization: Bearer <token>` on each.
class as_tenant {
public:
  as_tenant(http_client& c, std::string token) : c_(c), token_(std::move(token)) {}

  http_response get(std::string_view target) {
    return c_.request("GET", target, {}, {{"Authorization", "Bearer " + token_}});
  }
  http_response post_json(std::string_view target, std::string_view body) {
    return c_.request("POST", target, body,
                      {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token_}});
  }

private:
  http_client& c_;
  std::string token_;
};

} // namespace taskmesh::test_support
