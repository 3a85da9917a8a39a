// File: bench/loadgen/e2e_poll.hpp
// The read side of the e2e mode: one-off GETs (/stats) on a private
// connection, and rounds of GET /task/{id} over many connections for the
// sampled ids. Synchronous from the caller's view: e2e runs its phases one
// after another.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "bench/loadgen/config.hpp"
#include "bench/loadgen/connection.hpp"
#include "bench/loadgen/e2e_parse.hpp"

namespace taskmesh::loadgen {

// One keep-alive connection driven to completion per request.
class single_client {
public:
  single_client(const endpoints& eps, std::string host_header, std::chrono::nanoseconds timeout);
  exchange_result get(std::string_view path);

private:
  boost::asio::io_context ioc_;
  connection conn_;
  std::string host_header_;
};

// GET /task/{id} for every id, over up to cfg.connections connections and
// cfg.threads threads; records[i] is nullopt when ids[i] gave no readable
// record. `requests` is incremented by the number of GETs sent.
std::vector<std::optional<polled_record>> fetch_records(const endpoints& eps,
                                                        const load_config& cfg,
                                                        const std::vector<std::string>& ids,
                                                        std::uint64_t& requests);

} // namespace taskmesh::loadgen
