// File: transport/http/streams/task_event_stream.hpp
// The body of GET /task/{id}/events: a `status` event with the task's record
// first, then one per transition as the event hub delivers them, `progress`
// events (0-100) while the task waits out its delay_ms, heartbeat comments
// while idle; it ends after the terminal event, or when the hub closes the
// stream (shutdown, or the client fell too far behind). Event ids are
// transition_seq() of the record, so a reconnect with Last-Event-ID resumes
// after the last transition the client saw, on any api pod.
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

// How far a task is through its delay at `now_us`: 0-100 by the wall clock
// from the start its worker stamped; nullopt when the start is not known
// (0: a record written before the attempt began, or by an older pod).
std::optional<int> delay_progress(timestamp now_us, timestamp attempt_started_at,
                                  std::uint32_t delay_ms);

class task_event_stream final : public body_stream {
public:
  // Subscribes to `id`'s transitions from now on; nullptr when the process or
  // the tenant has as many streams open as allowed.
  static std::unique_ptr<task_event_stream> open(context& ctx, asio::any_io_executor ex,
                                                 const task_id& id, std::string tenant);

  // The first events, given the store's current record: without last_id the
  // record and anything newer the hub kept; with it, every kept transition
  // after last_id, then the record if it is newer still.
  void start(const task_record& current, std::optional<std::uint64_t> last_id);

  awaitable<std::optional<std::string>> next() override;

private:
  using clock = std::chrono::steady_clock;
  task_event_stream(context& ctx, asio::any_io_executor ex) : ctx_(ctx),
      signal_(std::make_shared<stream_signal>(std::move(ex))) {}
  void add(const task_record& r);
  bool add_progress(clock::time_point now);

  context& ctx_;
  std::shared_ptr<stream_signal> signal_;
  std::shared_ptr<event_stream> hub_stream_;
  std::vector<task_event> kept_;  // the hub's history at subscription
  std::string pending_;           // bytes ready to go
  std::optional<std::uint32_t> sent_; // id of the last transition sent
  task_record last_;              // the last record sent (progress is computed from it)
  bool done_ = false;             // terminal event sent
  int progress_ = -1;             // last progress sent for the current delay
  clock::time_point next_progress_{};
  clock::time_point last_write_ = clock::now();
};

} // namespace taskmesh::http
