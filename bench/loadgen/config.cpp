// File: bench/loadgen/config.cpp
#include "bench/loadgen/config.hpp"

namespace taskmesh::loadgen {

std::string_view to_string(run_mode m) noexcept {
  switch (m) {
    case run_mode::closed: return "closed";
    case run_mode::open: return "open";
    case run_mode::e2e: return "e2e";
  }
  return "?";
}

std::string_view to_string(target_kind t) noexcept {
  switch (t) {
    case target_kind::task: return "task";
    case target_kind::tasks: return "tasks";
    case target_kind::raw: return "raw";
  }
  return "?";
}

} // namespace taskmesh::loadgen
