// File: transport/http/streams/stats_stream.hpp
// The body of GET /events: every stats_interval (1 s) one `stats` event with
// the GET /stats object plus `throughput`, per second since the previous
// event: submitted, succeeded and finished (every terminal outcome). The
// first event comes at once (throughput all 0). Ends when the hub closes it
// (shutdown); counts toward the same stream caps as the task streams.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "actors/task_events.hpp"
#include "transport/http/body_stream.hpp"
#include "transport/http/context.hpp"
#include "transport/http/streams/stream_signal.hpp"

namespace taskmesh::http {

class stats_stream final : public body_stream {
public:
  // nullptr when the process or tenant is at its stream cap.
  static std::unique_ptr<stats_stream> open(context& ctx, asio::any_io_executor ex,
                                            std::string tenant);
  awaitable<std::optional<std::string>> next() override;

private:
  using clock = std::chrono::steady_clock;
  stats_stream(context& ctx, asio::any_io_executor ex)
      : ctx_(ctx), signal_(std::make_shared<stream_signal>(std::move(ex))) {}

  context& ctx_;
  std::shared_ptr<stream_signal> signal_;
  std::shared_ptr<event_stream> hub_stream_; // only for the caps and shutdown
  std::uint64_t seq_ = 0;
  clock::time_point next_at_ = clock::now();
  std::optional<stats_snapshot> previous_;
  clock::time_point previous_at_{};
};

} // namespace taskmesh::http
