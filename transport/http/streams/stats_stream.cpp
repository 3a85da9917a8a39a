// File: transport/http/streams/stats_stream.cpp
#include "transport/http/streams/stats_stream.hpp"

#include <algorithm>
#include <cmath>

#include "transport/http/actor_await.hpp"
#include "transport/http/stats_json.hpp"
#include "transport/http/streams/sse.hpp"

namespace taskmesh::http {
namespace {

std::uint64_t finished(const stats_snapshot& s) {
  return s.succeeded + s.failed + s.dead + s.cancelled;
}

double rate(std::uint64_t now, std::uint64_t before, double seconds) {
  if (seconds <= 0 || now < before)
    return 0;
  return std::round(static_cast<double>(now - before) / seconds * 10) / 10;
}

} // namespace

std::unique_ptr<stats_stream> stats_stream::open(context& ctx, asio::any_io_executor ex,
                                                 std::string tenant) {
  std::unique_ptr<stats_stream> s{new stats_stream(ctx, std::move(ex))};
  s->hub_stream_ = ctx.events->open(std::move(tenant), s->signal_->waker());
  if (!s->hub_stream_)
    return nullptr;
  return s;
}

awaitable<std::optional<std::string>> stats_stream::next() {
  while (clock::now() < next_at_ && !hub_stream_->closed())
    co_await signal_->wait_until(next_at_);
  if (hub_stream_->closed())
    co_return std::nullopt;
  next_at_ = std::max(next_at_ + ctx_.stats_interval, clock::now());
  auto snap = co_await await_callback<stats_snapshot>([&](stats_callback done) {
    caf::anon_send(ctx_.bridge, get_atom::value, std::move(done));
  });
  if (snap.mode.empty())
    co_return std::string{sse_heartbeat}; // stats did not answer this time
  const auto now = clock::now();
  auto o = stats_object(snap);
  double seconds = 0;
  if (previous_)
    seconds = std::chrono::duration<double>(now - previous_at_).count();
  const stats_snapshot before = previous_ ? *previous_ : snap;
  o["throughput"] = boost::json::object{
    {"submitted", rate(snap.submitted, before.submitted, seconds)},
    {"succeeded", rate(snap.succeeded, before.succeeded, seconds)},
    {"finished", rate(finished(snap), finished(before), seconds)},
  };
  std::string out;
  append_sse(out, "stats", ++seq_, json_text(o));
  previous_ = std::move(snap);
  previous_at_ = now;
  co_return out;
}

} // namespace taskmesh::http
