// File: chaos/verify/api_link.cpp
#include "chaos/verify/api_link.hpp"

#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "bench/loadgen/request_builder.hpp"

namespace taskmesh::verify {

namespace asio = boost::asio;

api_set::api_set(const std::vector<api_url>& apis) {
  if (apis.empty()) throw std::invalid_argument("no api url");
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  for (const auto& a : apis) {
    boost::system::error_code ec;
    auto eps = resolver.resolve(a.host, a.port, ec);
    if (ec) throw std::runtime_error("cannot resolve " + a.host + ":" + a.port + ": " + ec.message());
    eps_.push_back(std::move(eps));
    hosts_.push_back(loadgen::host_header(a.host, a.port));
  }
}

api_link::api_link(asio::any_io_executor ex, const api_set& apis, std::size_t first,
                   std::chrono::milliseconds timeout, std::string auth_token)
    : ex_(std::move(ex)), apis_(apis), timeout_(timeout) {
  if (!auth_token.empty()) auth_header_ = "Authorization: Bearer " + auth_token + "\r\n";
  open(first % apis_.size());
}

void api_link::open(std::size_t api) {
  current_ = api;
  conn_ = std::make_unique<loadgen::connection>(ex_, apis_.endpoints(api), timeout_);
}

asio::awaitable<loadgen::exchange_result> api_link::exchange(std::string_view method,
                                                             std::string_view target,
                                                             std::string_view body) {
  std::string request =
    loadgen::serialize_request(method, target, apis_.host_header(current_), body);
  if (!auth_header_.empty()) // after the request line: headers may come in any order
    request.insert(request.find("\r\n") + 2, auth_header_);
  auto r = co_await conn_->exchange(request, true);
  if (r.error == loadgen::transport_error::connect && apis_.size() > 1)
    open((current_ + 1) % apis_.size());
  co_return r;
}

} // namespace taskmesh::verify
