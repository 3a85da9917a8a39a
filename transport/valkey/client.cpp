// File: transport/valkey/client.cpp
// Connection life cycle (connect, handshake, drop, backoff) and the
// pipelined exchange. hiredis's blocking mode does the socket work; its
// SO_RCVTIMEO/SO_SNDTIMEO (redisSetTimeout) bound every read and write.
#include "transport/valkey/client.hpp"

#include <pthread.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <stdexcept>

namespace taskmesh::valkey {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  const auto total = std::max<std::int64_t>(ms.count(), 1); // 0 would mean "wait forever"
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(total / 1000);
  tv.tv_usec = static_cast<suseconds_t>((total % 1000) * 1000);
  return tv;
}

// hiredis writes with write(2), so a write to a connection the server has
// reset raises SIGPIPE, whose default action ends the process. While a
// guard lives, SIGPIPE is blocked in this thread; one that our write raised
// is consumed before the old mask comes back. Where the process already
// blocks SIGPIPE (taskmesh's main does), this costs one pthread_sigmask.
class sigpipe_guard {
public:
  sigpipe_guard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    active_ = sigismember(&old_, SIGPIPE) == 0;
    if (active_) {
      sigset_t pending;
      sigpending(&pending);
      was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    }
  }

  ~sigpipe_guard() {
    if (!active_)
      return;
    const int saved_errno = errno;
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{};
        while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    errno = saved_errno;
  }

  sigpipe_guard(const sigpipe_guard&) = delete;
  sigpipe_guard& operator=(const sigpipe_guard&) = delete;

private:
  sigset_t pipe_;
  sigset_t old_;
  bool active_ = false;
  bool was_pending_ = false;
};

} // namespace

client::client(valkey_config config)
    : config_(std::move(config)), backoff_(config_.reconnect_min) {
  last_error_ = {errc::not_connected, "not connected to " + redacted_url(config_) + " yet"};
}

client::~client() = default;

void client::disconnect() {
  ctx_.reset();
  healthy_ = false;
}

result<void> client::connect() {
  sigpipe_guard guard;
  return ensure_connected();
}

result<void> client::ensure_connected() {
  if (ctx_)
    return {};
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    const auto wait =
      std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now).count();
    return error{errc::not_connected, "not connected to " + redacted_url(config_) +
                                        " (next attempt in " + std::to_string(wait) +
                                        " ms); last error: " + last_error_.message};
  }
  return connect_now();
}

// One attempt: TCP connect (connect_timeout), socket timeouts, keep-alive,
// then AUTH and SELECT pipelined in one round trip (command_timeout).
result<void> client::connect_now() {
  const std::string what = "connect " + redacted_url(config_);
  errno = 0;
  context_ptr c(redisConnectWithTimeout(config_.host.c_str(), config_.port,
                                        to_timeval(config_.connect_timeout)));
  const int connect_errno = errno;
  if (!c || c->err) {
    error e = context_error(c.get(), connect_errno, phase::connect, what);
    schedule_retry(e);
    return e;
  }
  if (redisSetTimeout(c.get(), to_timeval(config_.command_timeout)) != REDIS_OK) {
    error e = context_error(c.get(), errno, phase::connect, what + ": set socket timeouts");
    schedule_retry(e);
    return e;
  }
  redisEnableKeepAlive(c.get()); // best effort: finds dead peers on idle connections

  std::vector<command> hello;
  if (!config_.password.empty()) {
    command& auth = hello.emplace_back("AUTH");
    if (!config_.user.empty())
      auth.arg(config_.user);
    auth.arg(config_.password);
  }
  if (config_.db != 0)
    hello.emplace_back("SELECT").arg(config_.db);
  if (!hello.empty()) {
    auto replies = exchange(c.get(), hello);
    if (!replies) {
      error e = std::move(replies).err();
      e.message = what + ": " + e.message;
      schedule_retry(e);
      return e;
    }
    for (std::size_t i = 0; i < hello.size(); ++i) {
      if (auto e = reply_error((*replies)[i].get(), hello[i][0])) {
        const bool is_auth = hello[i][0] == "AUTH";
        const std::string step = is_auth ? "AUTH" : "SELECT " + std::to_string(config_.db);
        e->message = what + ": " + step + " refused: " + e->message;
        schedule_retry(*e);
        return *e;
      }
    }
  }

  ctx_ = std::move(c);
  healthy_ = true;
  backoff_ = config_.reconnect_min;
  ++connects_;
  return {};
}

void client::schedule_retry(const error& e) {
  healthy_ = false;
  last_error_ = e;
  next_attempt_ = std::chrono::steady_clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, config_.reconnect_max);
}

// A connection that failed mid-call is useless (hiredis keeps the error,
// and a late reply would answer the wrong request): close it. The first
// reconnect attempt may start at once; failed attempts back off.
void client::drop(const error& e) {
  ctx_.reset();
  healthy_ = false;
  last_error_ = e;
  next_attempt_ = std::chrono::steady_clock::now();
}

result<std::vector<reply_ptr>> client::exchange(redisContext* c,
                                                std::span<const command> commands) {
  wire_.clear();
  for (const command& cmd : commands)
    cmd.append_resp(wire_);
  if (redisAppendFormattedCommand(c, wire_.data(), wire_.size()) != REDIS_OK)
    return context_error(c, errno, phase::command, redacted_url(config_));
  std::vector<reply_ptr> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    errno = 0;
    if (redisGetReply(c, &raw) != REDIS_OK) {
      const int saved = errno;
      return context_error(c, saved, phase::command, redacted_url(config_));
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

result<std::vector<reply_ptr>> client::pipeline(std::span<const command> commands, retry policy) {
  if (commands.empty())
    return std::vector<reply_ptr>{};
  for (const command& cmd : commands)
    if (cmd.empty())
      throw std::invalid_argument("valkey::client: empty command"); // would never be answered

  sigpipe_guard guard;
  const bool fresh = !ctx_;
  if (auto r = ensure_connected(); !r)
    return std::move(r).err();
  auto out = exchange(ctx_.get(), commands);
  if (out) {
    healthy_ = true;
    return out;
  }
  error first = std::move(out).err();
  drop(first);
  // A connection that had been idle may have died with a server restart;
  // the first use finds out. Safe to resend only when the caller says so.
  if (policy != retry::once_if_connection_lost || fresh || !first.connection_lost())
    return first;
  if (auto r = connect_now(); !r)
    return error{r.err().code, first.message + "; reconnect failed: " + r.err().message};
  auto again = exchange(ctx_.get(), commands);
  if (!again)
    drop(again.err());
  return again;
}

result<reply_ptr> client::execute(const command& cmd, retry policy) {
  auto replies = pipeline(std::span<const command>(&cmd, 1), policy);
  if (!replies)
    return std::move(replies).err();
  reply_ptr r = std::move(replies->front());
  if (auto e = reply_error(r.get()))
    return std::move(*e);
  return r;
}

result<void> client::ping() {
  const command cmd("PING");
  auto r = execute(cmd);
  if (!r)
    return std::move(r).err();
  if (string_of(r->get()) != std::string_view("PONG"))
    return unexpected(r->get(), "PONG");
  return {};
}

} // namespace taskmesh::valkey
