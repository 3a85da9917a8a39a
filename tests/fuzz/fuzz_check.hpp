// File: tests/fuzz/fuzz_check.hpp
// What the fuzz targets share: a check that aborts (so libFuzzer saves the
// input as a crash) with a message, and "is this valid JSON".
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <boost/json/parse.hpp>

namespace taskmesh::fuzz {

[[noreturn]] inline void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz check failed: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

inline void check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok)
    fail(what, detail);
}

inline bool is_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  return !ec;
}

} // namespace taskmesh::fuzz
