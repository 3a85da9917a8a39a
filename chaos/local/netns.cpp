// File: chaos/local/netns.cpp
#include "chaos/local/netns.hpp"

#include <unistd.h>

#include <stdexcept>

#include "chaos/local/scenario.hpp"
#include "tests/support/process.hpp"

namespace taskmesh::chaos_local {

namespace {

using test_support::run_to_exit;

// Runs `binary args`; throws with its output unless it exits 0.
std::string must(const std::string& binary, const std::vector<std::string>& args) {
  const auto r = run_to_exit(binary, args, {}, 10s);
  if (r.exit_code != 0) {
    std::string cmd = binary;
    for (const auto& a : args)
      cmd += " " + a;
    throw std::runtime_error(cmd + " failed: " + r.output);
  }
  return r.output;
}

constexpr const char* partition_rules = R"(table inet taskmesh_chaos {
  chain input { type filter hook input priority 0; policy drop; iifname "lo" accept; }
  chain output { type filter hook output priority 0; policy drop; oifname "lo" accept; }
}
)";

} // namespace

std::optional<network_namespace> network_namespace::create(std::string& why_not) {
  network_namespace ns;
  ns.ip_ = find_program("ip");
  ns.nft_ = find_program("nft");
  if (ns.ip_.empty() || ns.nft_.empty()) {
    why_not = "needs ip (iproute2) and nft (nftables): run scripts/install-deps.sh";
    return std::nullopt;
  }
  const auto pid = static_cast<unsigned>(::getpid());
  ns.name_ = "tmchaos" + std::to_string(pid);
  ns.host_veth_ = "tmc" + std::to_string(pid) + "h";
  const std::string inner_veth = "tmc" + std::to_string(pid) + "n";
  // A /30 of its own per process id (16000 of them), so runs side by side
  // (other worktrees' make test) do not share a subnet.
  const unsigned base = pid / 250 % 64 * 4;
  const std::string net = "10.213." + std::to_string(pid % 250) + ".";
  ns.host_ip_ = net + std::to_string(base + 1);
  const std::string inner_ip = net + std::to_string(base + 2);
  const auto probe = run_to_exit(ns.ip_, {"netns", "add", ns.name_}, {}, 10s);
  if (probe.exit_code != 0) {
    why_not = "network namespaces are not allowed here (ip netns add: " + probe.output + ")";
    return std::nullopt;
  }
  ns.owned_ = true;
  must(ns.ip_, {"link", "add", ns.host_veth_, "type", "veth", "peer", "name", inner_veth});
  must(ns.ip_, {"link", "set", inner_veth, "netns", ns.name_});
  must(ns.ip_, {"addr", "add", ns.host_ip_ + "/30", "dev", ns.host_veth_});
  must(ns.ip_, {"link", "set", ns.host_veth_, "up"});
  must(ns.ip_, {"netns", "exec", ns.name_, ns.ip_, "addr", "add", inner_ip + "/30", "dev", inner_veth});
  must(ns.ip_, {"netns", "exec", ns.name_, ns.ip_, "link", "set", inner_veth, "up"});
  must(ns.ip_, {"netns", "exec", ns.name_, ns.ip_, "link", "set", "lo", "up"});
  // nft reads the rules from a file: check now that it works in there.
  const auto probe_nft = run_to_exit(ns.ip_, {"netns", "exec", ns.name_, ns.nft_, "list", "ruleset"}, {}, 10s);
  if (probe_nft.exit_code != 0) {
    why_not = "nft does not work in a network namespace here: " + probe_nft.output;
    return std::nullopt;
  }
  return ns;
}

network_namespace::network_namespace(network_namespace&& o) noexcept
    : ip_(std::move(o.ip_)), nft_(std::move(o.nft_)), name_(std::move(o.name_)),
      host_veth_(std::move(o.host_veth_)), host_ip_(std::move(o.host_ip_)), owned_(o.owned_) {
  o.owned_ = false;
}

network_namespace::~network_namespace() {
  if (!owned_) return;
  // Deleting the namespace destroys its end of the pair, and so the pair.
  run_to_exit(ip_, {"netns", "del", name_}, {}, 10s);
  run_to_exit(ip_, {"link", "del", host_veth_}, {}, 10s); // gone already, normally
}

void network_namespace::partition() {
  const std::string rules = test_support::make_temp_dir("taskmesh-nft") + "/partition.nft";
  {
    std::FILE* f = std::fopen(rules.c_str(), "w");
    if (!f) throw std::runtime_error("cannot write " + rules);
    std::fputs(partition_rules, f);
    std::fclose(f);
  }
  must(ip_, {"netns", "exec", name_, nft_, "-f", rules});
}

void network_namespace::heal() {
  must(ip_, {"netns", "exec", name_, nft_, "delete", "table", "inet", "taskmesh_chaos"});
}

} // namespace taskmesh::chaos_local
