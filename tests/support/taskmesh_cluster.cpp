// File: tests/support/taskmesh_cluster.cpp
// Bringing up and tearing down a loopback cluster (see the header).
#include "tests/support/taskmesh_cluster.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>

namespace taskmesh::test_support {
namespace {

bool has_flag(const std::vector<std::string>& flags, std::string_view flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

// Alphanumeric: the prefix is a NATS subject token, part of durable names
// and of Valkey keys.
std::string unique_prefix() {
  static std::atomic<unsigned> next{0};
  return "it" + std::to_string(::getpid()) + "c" + std::to_string(++next);
}

std::string section(const std::string& title, const std::string& text) {
  return "==== " + title + " ====\n" + (text.empty() ? "(empty)\n" : text) +
         (text.empty() || text.back() == '\n' ? "" : "\n");
}

} // namespace

taskmesh_cluster::taskmesh_cluster(std::string binary, cluster_options options)
    : binary_(std::move(binary)), options_(std::move(options)), prefix_(unique_prefix()) {
  nats_ = std::make_unique<nats_server>(options_.server_host);
  redis_ = std::make_unique<redis_server>(
    redis_server_options{"", options_.redis_persistence, options_.server_host});
  // Side by side: each process spends most of its start-up connecting and
  // provisioning, so three start in about the time of one.
  try {
    for (std::size_t i = 0; i < options_.apis; ++i)
      apis_.push_back(spawn("api", {}, false));
    for (std::size_t i = 0; i < options_.workers; ++i)
      workers_.push_back(spawn("worker", {}, false));
    for (auto* p : processes())
      p->await_ready();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "\n" + log_tail());
  }
}

taskmesh_cluster::~taskmesh_cluster() {
  apis_.clear();
  workers_.clear();
  retired_.clear();
  redis_.reset();
  nats_.reset();
}

std::vector<taskmesh_process*> taskmesh_cluster::processes() {
  std::vector<taskmesh_process*> out;
  for (auto& p : apis_)
    out.push_back(p.get());
  for (auto& p : workers_)
    out.push_back(p.get());
  return out;
}

std::string taskmesh_cluster::stream_name() const {
  const auto& f = options_.flags;
  const auto it = std::find(f.begin(), f.end(), "--stream-name");
  return it != f.end() && it + 1 != f.end() ? *(it + 1) : std::string("TASKS");
}

std::vector<std::string> taskmesh_cluster::role_flags(std::string_view role) const {
  std::vector<std::string> out{"--role",   std::string(role),  "--nats",
                               nats_url(), "--valkey",          valkey_url()};
  if (!has_flag(options_.flags, "--subject-prefix")) {
    out.push_back("--subject-prefix");
    out.push_back(prefix_);
  }
  out.insert(out.end(), options_.flags.begin(), options_.flags.end());
  return out;
}

std::unique_ptr<taskmesh_process> taskmesh_cluster::spawn(std::string_view role,
                                                          std::vector<std::string> extra,
                                                          bool wait_ready) {
  auto flags = role_flags(role);
  std::string name = std::string(role);
  if (role == "worker") {
    name.append("-").append(std::to_string(++spawned_workers_));
    if (!has_flag(options_.flags, "--worker-id") && !has_flag(extra, "--worker-id")) {
      flags.push_back("--worker-id");
      flags.push_back(prefix_ + "-" + name);
    }
  }
  flags.insert(flags.end(), extra.begin(), extra.end());
  return std::make_unique<taskmesh_process>(binary_, std::move(flags), options_.env,
                                            options_.ready_timeout, std::move(name), wait_ready);
}

taskmesh_process& taskmesh_cluster::add_api(std::vector<std::string> extra) {
  apis_.push_back(spawn("api", std::move(extra), true));
  return *apis_.back();
}

taskmesh_process& taskmesh_cluster::add_worker(std::vector<std::string> extra) {
  workers_.push_back(spawn("worker", std::move(extra), true));
  return *workers_.back();
}

taskmesh_process& taskmesh_cluster::replace_api(std::size_t i) {
  auto fresh = spawn("api", {}, true);
  retired_.push_back(std::move(apis_.at(i)));
  apis_[i] = std::move(fresh);
  return *apis_[i];
}

taskmesh_process& taskmesh_cluster::replace_worker(std::size_t i) {
  auto fresh = spawn("worker", {}, true);
  retired_.push_back(std::move(workers_.at(i)));
  workers_[i] = std::move(fresh);
  return *workers_[i];
}

std::optional<int> taskmesh_cluster::stop(std::chrono::milliseconds timeout) {
  std::optional<int> result = 0;
  for (auto* p : processes()) {
    const auto code = p->stop(timeout);
    if (!code)
      result = std::nullopt;
    else if (result && *result == 0 && *code != 0)
      result = code;
  }
  return result;
}

std::string taskmesh_cluster::stop_expecting_clean_exit(std::chrono::milliseconds timeout) {
  std::string out;
  for (auto* p : processes())
    out += p->stop_expecting_clean_exit(timeout);
  return out;
}

std::string taskmesh_cluster::log_tail(std::size_t per_process) const {
  std::string out;
  for (const auto& group : {&apis_, &workers_})
    for (const auto& p : *group)
      out += section(p->name() + " (port " + std::to_string(p->port()) + ")",
                     p->log_tail(per_process));
  for (const auto& p : retired_)
    out += section(p->name() + " (replaced; port " + std::to_string(p->port()) + ")",
                   p->log_tail(per_process));
  if (nats_)
    out += section("nats-server (port " + std::to_string(nats_->port()) + ")",
                   nats_->log_tail(per_process));
  if (redis_)
    out += section("redis-server (port " + std::to_string(redis_->port()) + ")",
                   redis_->log_tail(per_process));
  return out;
}

} // namespace taskmesh::test_support
