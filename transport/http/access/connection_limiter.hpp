// File: transport/http/access/connection_limiter.hpp
// --max-connections-per-ip: open connections per client address. The
// acceptor asks before it starts a session; a connection over the cap is
// closed at once. Counts live only while a connection is open, so the
// table never holds more entries than there are connections. Thread-safe:
// sessions end on any I/O thread.
#pragma once

#include <cstdint>
#include <mutex>

#include <boost/asio/ip/address.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

namespace taskmesh::http {

class connection_limiter {
public:
  explicit connection_limiter(std::uint32_t max_per_ip) : max_(max_per_ip) {}

  // True (and counted) when `ip` has fewer than the cap open.
  bool try_open(const boost::asio::ip::address& ip);
  void close(const boost::asio::ip::address& ip);

  std::uint32_t open(const boost::asio::ip::address& ip) const;

private:
  std::uint32_t max_;
  mutable std::mutex m_;
  boost::unordered_flat_map<boost::asio::ip::address, std::uint32_t,
                            std::hash<boost::asio::ip::address>>
    open_;
};

} // namespace taskmesh::http
