// File: transport/http/access/connection_limiter.cpp
#include "transport/http/access/connection_limiter.hpp"

namespace taskmesh::http {

bool connection_limiter::try_open(const boost::asio::ip::address& ip) {
  std::lock_guard lock{m_};
  auto& n = open_[ip];
  if (n >= max_) {
    if (n == 0)
      open_.erase(ip);
    return false;
  }
  ++n;
  return true;
}

void connection_limiter::close(const boost::asio::ip::address& ip) {
  std::lock_guard lock{m_};
  auto found = open_.find(ip);
  if (found == open_.end())
    return;
  if (--found->second == 0)
    open_.erase(found);
}

std::uint32_t connection_limiter::open(const boost::asio::ip::address& ip) const {
  std::lock_guard lock{m_};
  auto found = open_.find(ip);
  return found == open_.end() ? 0 : found->second;
}

} // namespace taskmesh::http
