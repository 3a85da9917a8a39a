// File: chaos/verify/api_link.hpp
// One keep-alive connection to "the api", which may be several pods: it
// starts on api `first` and moves to the next one when a connect fails (the
// pod is gone), the way a client behind a Service ends up on a live pod.
// The exchange itself is bench/loadgen's connection (deadline per exchange,
// never throws).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "bench/loadgen/connection.hpp"
#include "chaos/verify/config.hpp"

namespace taskmesh::verify {

// Resolved addresses of every api; resolving needs no live server.
class api_set {
public:
  explicit api_set(const std::vector<api_url>& apis);
  std::size_t size() const noexcept { return eps_.size(); }
  const loadgen::endpoints& endpoints(std::size_t i) const { return eps_.at(i); }
  const std::string& host_header(std::size_t i) const { return hosts_.at(i); }

private:
  std::vector<loadgen::endpoints> eps_;
  std::vector<std::string> hosts_;
};

class api_link {
public:
  api_link(boost::asio::any_io_executor ex, const api_set& apis, std::size_t first,
           std::chrono::milliseconds timeout, std::string auth_token);

  // Sends `method target` with `body` (JSON when not empty) to the current
  // api; on a failed connect, the next call goes to the next api.
  boost::asio::awaitable<loadgen::exchange_result> exchange(std::string_view method,
                                                            std::string_view target,
                                                            std::string_view body);

private:
  void open(std::size_t api);

  boost::asio::any_io_executor ex_;
  const api_set& apis_;
  std::chrono::milliseconds timeout_;
  std::string auth_header_;
  std::size_t current_ = 0;
  std::unique_ptr<loadgen::connection> conn_;
};

} // namespace taskmesh::verify
