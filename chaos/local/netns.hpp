// File: chaos/local/netns.hpp
// A network namespace joined to this one by a veth pair, for the partition
// scenario: the host end gets the first address of a /30 in 10.213.0.0/16,
// the namespace end the second (the /30 from this process's id, so test
// runs side by side do not collide). partition()
// loads an nftables table inside the namespace that drops every packet
// not on its loopback (a real partition: connections hang, nothing is
// refused); heal() deletes it. The destructor deletes the namespace, and
// with it the pair. Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN), ip and nft.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace taskmesh::chaos_local {

class network_namespace {
public:
  // nullopt, with the reason in `why_not`, where namespaces cannot be made
  // (not root, a container without the capabilities, ip or nft missing).
  static std::optional<network_namespace> create(std::string& why_not);
  ~network_namespace();
  network_namespace(network_namespace&& other) noexcept;
  network_namespace(const network_namespace&) = delete;

  const std::string& name() const { return name_; }
  const std::string& host_address() const { return host_ip_; }
  // argv prefix that runs a program inside: ip netns exec <name>
  std::vector<std::string> exec_prefix() const { return {"netns", "exec", name_}; }
  const std::string& ip_binary() const { return ip_; }

  void partition();
  void heal();

private:
  network_namespace() = default;
  std::string ip_, nft_, name_, host_veth_, host_ip_;
  bool owned_ = false;
};

} // namespace taskmesh::chaos_local
