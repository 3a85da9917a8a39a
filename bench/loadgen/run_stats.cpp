// File: bench/loadgen/run_stats.cpp
#include "bench/loadgen/run_stats.hpp"

#include <numeric>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace taskmesh::loadgen {

std::string_view to_string(transport_error e) noexcept {
  switch (e) {
    case transport_error::connect: return "connect";
    case transport_error::timeout: return "timeout";
    case transport_error::closed: return "closed";
    case transport_error::write: return "write";
    case transport_error::read: return "read";
    case transport_error::unsent: return "unsent";
  }
  return "?";
}

transport_error classify(const boost::system::error_code& ec, bool while_writing) noexcept {
  namespace asio = boost::asio;
  if (ec == boost::beast::error::timeout || ec == asio::error::timed_out)
    return transport_error::timeout;
  if (ec == asio::error::eof || ec == boost::beast::http::error::end_of_stream ||
      ec == boost::beast::http::error::partial_message || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe || ec == asio::error::connection_aborted)
    return transport_error::closed;
  if (ec == asio::error::connection_refused || ec == asio::error::host_unreachable ||
      ec == asio::error::network_unreachable)
    return transport_error::connect;
  return while_writing ? transport_error::write : transport_error::read;
}

void run_stats::add_response(unsigned status, std::uint64_t latency) noexcept {
  ++responses;
  ++by_status[status < by_status.size() ? status : 0];
  latency_us.record(latency);
}

void run_stats::merge(const run_stats& other) noexcept {
  latency_us.merge(other.latency_us);
  send_lag_us.merge(other.send_lag_us);
  responses += other.responses;
  for (std::size_t i = 0; i < by_status.size(); ++i) by_status[i] += other.by_status[i];
  for (std::size_t i = 0; i < by_error.size(); ++i) by_error[i] += other.by_error[i];
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  connects += other.connects;
}

std::uint64_t run_stats::ok() const noexcept {
  return std::accumulate(by_status.begin() + 200, by_status.begin() + 300, std::uint64_t{0});
}

std::uint64_t run_stats::http_errors() const noexcept {
  return responses - ok();
}

std::uint64_t run_stats::transport_errors() const noexcept {
  return std::accumulate(by_error.begin(), by_error.end(), std::uint64_t{0});
}

} // namespace taskmesh::loadgen
