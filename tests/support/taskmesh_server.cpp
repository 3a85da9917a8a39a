// File: tests/support/taskmesh_server.cpp
// Start-up handshake with the real binary: launch, poll readiness, and turn
// every way that can go wrong into an exception that quotes the server log.
#include "tests/support/taskmesh_server.hpp"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <stdexcept>

#include "tests/support/wait.hpp"

namespace taskmesh::test_support {
namespace {

using namespace std::chrono_literals;

bool mentions_port_in_use(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text.find("in use") != std::string::npos;
}

std::string command_line(const std::string& binary, const std::vector<std::string>& args) {
  std::string out = binary;
  for (const auto& a : args)
    out += " " + a;
  return out;
}

} // namespace

taskmesh_server::taskmesh_server(std::string binary, std::vector<std::string> flags, env_list env,
                                 std::chrono::milliseconds ready_timeout) {
  // Ports come from free_loopback_port(), which another process can take
  // before the server binds it; three tries make that race irrelevant.
  for (int attempt = 0; attempt < 3; ++attempt)
    if (start_once(binary, flags, env, ready_timeout))
      return;
  throw std::runtime_error("taskmesh did not start: port taken three times; last log:\n" +
                           log_tail());
}

taskmesh_server::~taskmesh_server() {
  client_.reset();
  process_.reset(); // SIGKILLs and reaps the server if it is still running
}

bool taskmesh_server::start_once(const std::string& binary, const std::vector<std::string>& flags,
                                 const env_list& env, std::chrono::milliseconds ready_timeout) {
  port_ = free_loopback_port();
  std::vector<std::string> args{"--listen", "127.0.0.1:" + std::to_string(port_)};
  if (std::find(flags.begin(), flags.end(), "--log-level") == flags.end()) {
    args.push_back("--log-level");
    args.push_back("warn");
  }
  args.insert(args.end(), flags.begin(), flags.end());
  process_ = std::make_unique<child_process>(binary, args, env);

  http_client probe(port_, 1s);
  unsigned last_status = 0;
  std::string last_error;
  const bool ready = wait_until(
    [&] {
      if (!process_->running())
        return true; // stop polling; reported below
      try {
        last_status = probe.get("/health/ready").status;
        return last_status == 200;
      } catch (const std::exception& e) {
        last_error = e.what(); // not listening yet
        return false;
      }
    },
    ready_timeout, 20ms);

  if (const auto code = process_->wait_exit(0ms)) {
    if (mentions_port_in_use(process_->log()))
      return false;
    throw std::runtime_error("taskmesh exited with code " + std::to_string(*code) +
                             " before it was ready\ncommand: " + command_line(binary, args) +
                             "\nlog:\n" + log_tail());
  }
  if (!ready)
    throw std::runtime_error(
      "taskmesh not ready within " + std::to_string(ready_timeout.count()) +
      " ms (last /health/ready status " + std::to_string(last_status) + ", last error: " +
      last_error + ")\ncommand: " + command_line(binary, args) + "\nlog:\n" + log_tail());
  client_ = std::make_unique<http_client>(port_);
  return true;
}

std::optional<int> taskmesh_server::stop(std::chrono::milliseconds timeout) {
  client_->close();
  process_->signal(SIGTERM);
  return process_->wait_exit(timeout);
}

std::string taskmesh_server::stop_expecting_clean_exit(std::chrono::milliseconds timeout) {
  const auto code = stop(timeout);
  if (code && *code == 0)
    return {};
  const std::string what = code ? "exit code " + std::to_string(*code)
                                : "still running " + std::to_string(timeout.count()) +
                                    " ms after SIGTERM";
  return "taskmesh did not stop cleanly: " + what + "\nlog:\n" + log_tail();
}

} // namespace taskmesh::test_support
