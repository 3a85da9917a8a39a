// File: bench/loadgen/run_stats.hpp
// Everything a run counts, per thread and without locks: the latency
// histogram, responses by HTTP status, failures by transport error kind, and
// bytes. Threads merge theirs at the end. Only measured requests (after the
// warm-up) are recorded here.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "bench/loadgen/histogram.hpp"

namespace taskmesh::loadgen {

// Why an exchange produced no HTTP response.
enum class transport_error : std::uint8_t {
  connect, // could not (re)connect
  timeout, // no complete response within --timeout
  closed,  // the server closed or reset the connection mid-exchange
  write,   // other failure while sending
  read,    // other failure while receiving (including unparsable HTTP)
  unsent,  // open loop: a slot still unsent when the run's drain time ran out
};
inline constexpr std::size_t transport_error_kinds = 6;
std::string_view to_string(transport_error e) noexcept;

// One place that turns an Asio/Beast error into a kind; `while_writing`
// separates write from read failures for the catch-all cases.
transport_error classify(const boost::system::error_code& ec, bool while_writing) noexcept;

struct run_stats {
  histogram latency_us;  // response time; open loop: from the intended send time
  histogram send_lag_us; // open loop: actual send - intended send
  std::uint64_t responses = 0;
  std::array<std::uint64_t, 1000> by_status{};
  std::array<std::uint64_t, transport_error_kinds> by_error{};
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t connects = 0; // connections opened during the measured run

  void add_error(transport_error e, std::uint64_t n = 1) noexcept {
    by_error[static_cast<std::size_t>(e)] += n;
  }
  void add_response(unsigned status, std::uint64_t latency) noexcept;
  void merge(const run_stats& other) noexcept;

  std::uint64_t ok() const noexcept;          // 2xx responses
  std::uint64_t http_errors() const noexcept; // responses outside 2xx
  std::uint64_t transport_errors() const noexcept;
  std::uint64_t errors() const noexcept { return http_errors() + transport_errors(); }
};

} // namespace taskmesh::loadgen
