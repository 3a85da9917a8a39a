// File: actors/codec/json_numbers.hpp
// Private to the codec: finding numbers that JSON cannot carry back out.
// Boost.JSON parses a number too large for a double (1e400, or 400 digits)
// as an infinity, and RFC 8259 has no Infinity: echoed in a result it made
// GET /task answer invalid JSON, and a cluster pod could not encode the task.
// (NaN and Infinity tokens are already syntax errors.)
#pragma once

#include <cmath>

#include <boost/json/value.hpp>

namespace taskmesh::json_numbers {

// Recursion is bounded by the parser's max_depth.
inline bool has_non_finite(const boost::json::value& v) noexcept {
  switch (v.kind()) {
    case boost::json::kind::double_: return !std::isfinite(v.get_double());
    case boost::json::kind::array:
      for (const auto& e : v.get_array())
        if (has_non_finite(e)) return true;
      return false;
    case boost::json::kind::object:
      for (const auto& kv : v.get_object())
        if (has_non_finite(kv.value())) return true;
      return false;
    default: return false;
  }
}

} // namespace taskmesh::json_numbers
