// File: apps/taskmesh/main.cpp
// Start-up and shutdown of the taskmesh process:
//   parse config -> logging -> actor system + graph -> HTTP server -> ready
//   SIGTERM/SIGINT -> not ready, refuse new tasks -> drain -> stop -> exit 0
//   an actor of the graph stopping on its own -> exit 70 at once
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string_view>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/graph.hpp"
#include "actors/ops/registry.hpp"
#include "apps/taskmesh/config.hpp"
#include "apps/taskmesh/logging.hpp"
#include "apps/taskmesh/reload_signal.hpp"
#include "apps/taskmesh/wiring.hpp"
#include "transport/http/access/gate.hpp"
#include "transport/http/request_metrics.hpp"
#include "transport/http/server.hpp"
#include "web/web_assets.hpp"

namespace {

using namespace taskmesh;

caf::actor_system_config actor_config(const app::config& c) {
  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::taskmesh>();
  cfg.add_error_category(caf::atom("taskmesh"), [](std::uint8_t code, caf::atom_value, const caf::message&) {
    return "taskmesh: " + to_string(static_cast<errc>(code));
  });
  cfg.set("scheduler.max-threads",
          std::max(2u, std::min(c.graph.workers, app::usable_cores())));
  // CAF's default idle strategy polls with 50 us sleeps for a while before
  // blocking; on a small machine those wake-ups steal the cores the HTTP
  // threads need. Spin briefly, then block on the condition variable
  // (enqueue wakes the thread).
  cfg.set("work-stealing.moderate-poll-attempts", 0);
  return cfg;
}

// An IP address as given, or the first address a host name resolves to.
std::optional<boost::asio::ip::address> resolve_listen_host(const std::string& host) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (!ec)
    return address;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver resolver{ioc};
  auto results = resolver.resolve(host, "", ec);
  if (ec || results.empty())
    return std::nullopt;
  return results.begin()->endpoint().address();
}

// SIGTERM/SIGINT handling, installed before anything starts so that a
// signal during start-up also ends in an orderly shutdown. The first signal
// starts the drain; from then on a thread keeps listening, and a second
// signal ends the process at once, killed by that signal (an operator who
// presses Ctrl-C twice means it).
class shutdown_signal {
public:
  shutdown_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec)
        return;
      spdlog::info("received {}, draining", name(sig));
      received_ = true;
      signals_.async_wait([](const boost::system::error_code& ec2, int sig2) {
        if (ec2)
          return;
        spdlog::warn("received {} during the drain, exiting now", name(sig2));
        spdlog::default_logger()->flush();
        std::signal(sig2, SIG_DFL);
        std::raise(sig2);
      });
    });
  }
  ~shutdown_signal() {
    ioc_.stop();
    if (second_.joinable())
      second_.join();
  }
  // Blocks until the first signal, then listens for a second one on a thread.
  void wait() {
    while (!received_ && ioc_.run_one() > 0) {
    }
    second_ = std::thread([this] { ioc_.run(); });
  }

private:
  static const char* name(int sig) { return sig == SIGTERM ? "SIGTERM" : "SIGINT"; }

  boost::asio::io_context ioc_{1};
  boost::asio::signal_set signals_{ioc_, SIGINT, SIGTERM};
  bool received_ = false; // touched only by the thread in wait()
  std::thread second_;
};

// Lets accepted work finish, up to the deadline. True if everything finished.
bool drain(const intake_queue& queue, const pipeline_gauges& gauges,
           std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto pending = queue.backlog() + gauges.in_flight.load();
    if (pending == 0)
      return true;
    if (std::chrono::steady_clock::now() >= deadline) {
      spdlog::warn("drain timeout: {} tasks unfinished", pending);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Ends every event stream (each writes its last chunk) and waits a moment
// for their sessions to finish, so clients see a clean end, not a reset.
void close_streams(task_event_hub& events) {
  events.close_all();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (events.open_streams() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

// An actor that stopped on its own (an exception, a stray error message)
// leaves a process that takes tasks nobody runs or records: end it, so the
// orchestrator restarts it (JetStream redelivers a cluster pod's unacked
// tasks; an embedded process loses its memory as in any crash).
void exit_when_an_actor_stops(std::string_view actor, const caf::error& reason) {
  spdlog::critical("the {} actor stopped ({}): exiting with status 70", actor,
                   caf::to_string(reason));
  spdlog::default_logger()->flush();
  std::_Exit(70); // EX_SOFTWARE; destructors would wait for the broken graph
}

int run(const app::config& c) {
  shutdown_signal signal;
  auto ops = op_registry::builtin();
  for (const auto& name : c.disabled_ops)
    ops.disable(name);

  const auto address = resolve_listen_host(c.listen_host);
  if (!address) {
    std::cerr << "taskmesh: --listen: cannot resolve host '" << c.listen_host << "'\n";
    return 2;
  }
  std::optional<http::access_gate> gate;
  try {
    gate.emplace(c.access);
  } catch (const std::exception& e) {
    std::cerr << "taskmesh: " << e.what() << "\n";
    return 2;
  }
  std::optional<app::reload_signal> reload; // SIGHUP: new tokens, no request dropped
  if (gate->authenticates())
    reload.emplace([&gate] { gate->reload_tokens(); });

  // Everything the actors point into is declared before the actor system,
  // so the system (which waits for its actors) is destroyed first.
  intake_queue queue{c.queue_capacity, c.io_threads};
  pipeline_gauges gauges;
  task_event_hub events{c.events};
  prometheus::Registry registry;  // before the cluster's connections, which update its series
  app::cluster_resources cluster; // connections the cluster actors use
  task_metrics metrics{registry, ops};
  caf::actor_system_config cfg = actor_config(c);
  caf::actor_system sys{cfg};
  metrics.queue_capacity->Set(static_cast<double>(c.queue_capacity));
  metrics.max_in_flight->Set(c.graph.dispatch.max_in_flight);
  metrics.max_records->Set(static_cast<double>(c.store.max_records));
  std::optional<app::process_plan> plan;
  try {
    plan.emplace(app::plan_process(
      sys, c, {&ops, &queue, &gauges, &metrics, &events, &registry, exit_when_an_actor_stops},
      cluster));
  } catch (const std::exception& e) {
    std::cerr << "taskmesh: " << e.what() << "\n";
    return 2;
  }
  auto& graph = plan->graph;

  http::health_state health;
  health.dependencies = plan->health_dependencies;
  std::vector<std::string> labels;
  for (const auto& r : plan->routes.routes())
    labels.emplace_back(r.pattern);
  http::request_metrics request_metrics{labels};
  http::context ctx;
  static_cast<http::http_config&>(ctx) = c.http; // the parsed flags; the rest is wired below
  ctx.ops = &ops;
  if (gate->authenticates() || gate->limits_rate())
    ctx.gate = &*gate; // else every route is open: no step at all on the hot path
  ctx.queue = &queue;
  ctx.bridge = graph.bridge;
  ctx.health = &health;
  ctx.registry = &registry;
  ctx.http_metrics = &request_metrics;
  ctx.mode = plan->mode;
  ctx.events = &events;
  ctx.web = web::assets();

  http::server server{ctx, std::move(plan->routes), {*address, c.listen_port}, c.io_threads};
  try {
    server.start();
  } catch (const boost::system::system_error& e) {
    spdlog::critical("cannot listen on {}:{}: {}", c.listen_host, c.listen_port, e.what());
    graph.stop();
    return 1;
  }
  health.started = true;
  spdlog::info("taskmesh {} listening on {}:{} (mode {}, role {}, {} workers, {} io threads)",
               TASKMESH_VERSION, server.local_endpoint().address().to_string(),
               server.local_endpoint().port(), plan->mode, app::to_string(plan->role),
               plan->workers, c.io_threads);

  signal.wait();
  health.draining = true;
  gauges.draining = true; // a JetStream feeder stops fetching new tasks
  const bool drained = drain(queue, gauges, c.drain_timeout);
  server.stop_accepting();
  close_streams(events);
  server.stop();
  queue.on_wake([] {});
  graph.stop();
  // An actor answering a request after this point would post into the
  // server's io_contexts: wait for the actors before the server (declared
  // after the system) is destroyed.
  sys.await_all_actors_done();
  spdlog::info("stopped ({})", drained ? "all accepted tasks finished" : "drain timed out");
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  app::config c;
  if (auto exit_code = app::parse_config(argc, argv, c))
    return *exit_code;
  app::setup_logging(c.log_level, c.log_format);
  // A client that hangs up mid-write must not kill the process (SIGPIPE);
  // blocked before any thread starts so every thread inherits it.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return run(c);
}
