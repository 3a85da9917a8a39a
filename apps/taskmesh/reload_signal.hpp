// File: apps/taskmesh/reload_signal.hpp
// SIGHUP -> a callback (re-read --auth-tokens-file), on a thread of its own
// so a slow file read never delays requests or shutdown. Installed only
// when there is something to reload; otherwise SIGHUP keeps its default
// meaning (terminate), as before.
#pragma once

#include <functional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace taskmesh::app {

class reload_signal {
public:
  explicit reload_signal(std::function<void()> on_hup);
  ~reload_signal();

  reload_signal(const reload_signal&) = delete;
  reload_signal& operator=(const reload_signal&) = delete;

private:
  void arm();

  std::function<void()> on_hup_;
  boost::asio::io_context ioc_{1};
  boost::asio::signal_set signals_{ioc_, SIGHUP};
  std::thread thread_;
};

} // namespace taskmesh::app
