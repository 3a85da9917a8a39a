// File: tests/support/taskmesh_server.cpp
// The topology switch: one taskmesh process, or a loopback cluster.
#include "tests/support/taskmesh_server.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace taskmesh::test_support {

topology topology_from_env() {
  const char* v = std::getenv("TASKMESH_IT_TOPOLOGY");
  const std::string_view value = v ? v : "";
  if (value.empty() || value == "embedded")
    return topology::embedded;
  if (value == "cluster")
    return topology::cluster;
  throw std::runtime_error("TASKMESH_IT_TOPOLOGY=" + std::string(value) +
                           ": expected \"embedded\" or \"cluster\"");
}

const char* to_string(topology t) { return t == topology::cluster ? "cluster" : "embedded"; }

taskmesh_server::taskmesh_server(std::string binary, std::vector<std::string> flags, env_list env,
                                 std::chrono::milliseconds ready_timeout)
    : taskmesh_server(topology_from_env(), std::move(binary), std::move(flags), std::move(env),
                      ready_timeout) {}

taskmesh_server::taskmesh_server(topology t, std::string binary, std::vector<std::string> flags,
                                 env_list env, std::chrono::milliseconds ready_timeout) {
  if (t == topology::embedded) {
    single_ = std::make_unique<taskmesh_process>(std::move(binary), std::move(flags),
                                                 std::move(env), ready_timeout);
    return;
  }
  cluster_options o;
  o.flags = std::move(flags);
  o.env = std::move(env);
  o.ready_timeout = ready_timeout;
  cluster_ = std::make_unique<taskmesh_cluster>(std::move(binary), std::move(o));
}

taskmesh_server::~taskmesh_server() = default;

std::vector<unsigned short> taskmesh_server::ports() {
  if (!cluster_)
    return {single_->port()};
  std::vector<unsigned short> out;
  for (auto* p : cluster_->processes())
    out.push_back(p->port());
  return out;
}

std::string taskmesh_server::log_tail(std::size_t max_bytes) const {
  return cluster_ ? cluster_->log_tail(max_bytes) : single_->log_tail(max_bytes);
}

std::optional<int> taskmesh_server::stop(std::chrono::milliseconds timeout) {
  return cluster_ ? cluster_->stop(timeout) : single_->stop(timeout);
}

std::string taskmesh_server::stop_expecting_clean_exit(std::chrono::milliseconds timeout) {
  return cluster_ ? cluster_->stop_expecting_clean_exit(timeout)
                  : single_->stop_expecting_clean_exit(timeout);
}

} // namespace taskmesh::test_support
