// File: bench/loadgen/report_format.cpp
#include "bench/loadgen/report_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include <boost/json/serialize.hpp>

namespace taskmesh::loadgen {

std::string sformat(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
  std::vsnprintf(out.data(), out.size() + 1, fmt, again);
  va_end(again);
  return out;
}

std::string micros_text(double us) {
  if (us < 1000) return sformat("%.0fus", us);
  if (us < 1e6) return sformat("%.2fms", us / 1e3);
  return sformat("%.2fs", us / 1e6);
}

std::string latency_line(const histogram& h) {
  if (h.count() == 0) return "(no samples)";
  auto p = [&](double q) { return micros_text(static_cast<double>(h.percentile(q))); };
  return "p50 " + p(50) + "  p90 " + p(90) + "  p99 " + p(99) + "  p99.9 " + p(99.9) + "  max " +
         micros_text(static_cast<double>(h.max())) + "  mean " + micros_text(h.mean()) +
         sformat("  (%llu samples)", ull(h.count()));
}

std::string errors_line(const run_stats& s) {
  if (s.errors() == 0) return "0";
  std::string out = sformat("%llu:", ull(s.errors()));
  const char* sep = " ";
  for (std::size_t code = 0; code < s.by_status.size(); ++code) {
    if (!s.by_status[code] || (code >= 200 && code <= 299)) continue;
    out += sformat("%sHTTP %zu x%llu", sep, code, ull(s.by_status[code]));
    sep = ", ";
  }
  for (std::size_t k = 0; k < transport_error_kinds; ++k) {
    if (!s.by_error[k]) continue;
    out +=
        sformat("%s%s x%llu", sep, std::string(to_string(static_cast<transport_error>(k))).c_str(),
                ull(s.by_error[k]));
    sep = ", ";
  }
  return out;
}

namespace {

void write_json(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      const char* sep = "";
      for (const auto& kv : v.get_object()) {
        out += sep;
        out += boost::json::serialize(boost::json::string_view(kv.key()));
        out += ':';
        write_json(kv.value(), out);
        sep = ",";
      }
      out += '}';
      break;
    }
    case boost::json::kind::array: {
      out += '[';
      const char* sep = "";
      for (const auto& e : v.get_array()) {
        out += sep;
        write_json(e, out);
        sep = ",";
      }
      out += ']';
      break;
    }
    case boost::json::kind::double_: {
      const double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null"; // JSON has no NaN/Inf
        break;
      }
      char buf[32];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, end);
      break;
    }
    default: out += boost::json::serialize(v);
  }
}

} // namespace

std::string json_text(const boost::json::value& v) {
  std::string out;
  write_json(v, out);
  return out;
}

std::string bytes_text(std::uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b < 1e3) return sformat("%llu B", ull(bytes));
  if (b < 1e6) return sformat("%.1f kB", b / 1e3);
  if (b < 1e9) return sformat("%.1f MB", b / 1e6);
  return sformat("%.2f GB", b / 1e9);
}

} // namespace taskmesh::loadgen
