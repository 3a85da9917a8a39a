// File: apps/taskmesh/reload_signal.cpp
#include "apps/taskmesh/reload_signal.hpp"

#include <csignal>

#include <spdlog/spdlog.h>

namespace taskmesh::app {

reload_signal::reload_signal(std::function<void()> on_hup) : on_hup_(std::move(on_hup)) {
  arm();
  thread_ = std::thread([this] { ioc_.run(); });
}

reload_signal::~reload_signal() {
  ioc_.stop();
  if (thread_.joinable())
    thread_.join();
}

void reload_signal::arm() {
  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec)
      return;
    spdlog::info("received SIGHUP, reloading");
    on_hup_();
    arm();
  });
}

} // namespace taskmesh::app
