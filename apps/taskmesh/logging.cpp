// File: apps/taskmesh/logging.cpp
#include "apps/taskmesh/logging.hpp"

#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <spdlog/details/fmt_helper.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace taskmesh::app {
namespace {

// {"ts":"...","level":"info","logger":"taskmesh","msg":"..."}: the message
// is escaped properly, which a plain pattern cannot do.
class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    const auto t = system_clock::to_time_t(msg.time);
    const auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&t, &utc);
    char ts[64];
    std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<int>(ms));
    const auto level = spdlog::level::to_string_view(msg.level);
    const std::string text(msg.payload.data(), msg.payload.size());
    const auto line = std::string{R"({"ts":")"} + ts + R"(","level":")" +
                      std::string(level.data(), level.size()) + R"(","logger":")" +
                      std::string(msg.logger_name.data(), msg.logger_name.size()) +
                      R"(","msg":)" + boost::json::serialize(boost::json::string(text)) + "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

} // namespace

void setup_logging(const std::string& level, std::string format) {
  if (format.empty())
    format = isatty(STDOUT_FILENO) ? "text" : "json";
  auto logger = spdlog::stdout_logger_mt("taskmesh");
  if (format == "json")
    logger->set_formatter(std::make_unique<json_formatter>());
  else
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

} // namespace taskmesh::app
