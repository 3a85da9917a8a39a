// File: bench/loadgen/e2e_poll.cpp
#include "bench/loadgen/e2e_poll.hpp"

#include <atomic>

#include <boost/asio/co_spawn.hpp>

#include "bench/loadgen/request_builder.hpp"
#include "bench/loadgen/runner.hpp"

namespace taskmesh::loadgen {

namespace asio = boost::asio;

single_client::single_client(const endpoints& eps, std::string host_header,
                             std::chrono::nanoseconds timeout)
    : ioc_(1), conn_(ioc_.get_executor(), eps, timeout), host_header_(std::move(host_header)) {}

exchange_result single_client::get(std::string_view path) {
  const std::string request = serialize_request("GET", path, host_header_, "");
  auto once = [&] {
    exchange_result out;
    asio::co_spawn(ioc_, conn_.exchange(request, true),
                   [&out](std::exception_ptr e, exchange_result r) {
                     if (e) std::rethrow_exception(e);
                     out = std::move(r);
                   });
    ioc_.restart();
    ioc_.run();
    return out;
  };
  exchange_result out = once();
  // Idle through a long submit phase, the server may have closed this
  // connection: one retry on a fresh one tells that apart from a real failure.
  if (out.error && !out.connected) out = once();
  return out;
}

std::vector<std::optional<polled_record>> fetch_records(const endpoints& eps,
                                                        const load_config& cfg,
                                                        const std::vector<std::string>& ids,
                                                        std::uint64_t& requests) {
  std::vector<std::optional<polled_record>> records(ids.size());
  if (ids.empty()) return records;
  const std::string host = host_header(cfg.host, cfg.port);
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> sent{0};
  const int connections = static_cast<int>(
      std::min<std::size_t>(static_cast<std::size_t>(std::max(cfg.connections, 1)), ids.size()));

  // Each index is claimed once, so each records[i] has a single writer.
  run_connections(
      eps, cfg.threads, connections, cfg.timeout, [&](body_context ctx) -> asio::awaitable<void> {
        for (;;) {
          const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
          if (i >= ids.size()) break;
          const std::string request =
              serialize_request("GET", "/task/" + encode_path_segment(ids[i]), host, "");
          const auto r = co_await ctx.conn.exchange(request, true);
          sent.fetch_add(1, std::memory_order_relaxed);
          if (!r.error && r.status == 200) records[i] = parse_task_record(r.body);
        }
      });
  requests += sent.load();
  return records;
}

} // namespace taskmesh::loadgen
