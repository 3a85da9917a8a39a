// File: chaos/verify/load_record.cpp
#include "chaos/verify/load_record.hpp"

namespace taskmesh::verify {

const char* to_string(phase p) noexcept {
  switch (p) {
  case phase::steady: return "steady";
  case phase::fault: return "fault";
  case phase::recover: return "recover";
  case phase::settle: return "settle";
  case phase::done: return "done";
  }
  return "?";
}

phase phase_at(const verify_config& cfg, std::chrono::nanoseconds t) noexcept {
  if (t < cfg.steady) return phase::steady;
  if (t < cfg.steady + cfg.fault) return phase::fault;
  return phase::recover;
}

std::uint64_t load_record::accepted() const {
  std::uint64_t n = 0;
  for (const auto& s : slots)
    if (!s.id.empty()) ++n;
  return n;
}

std::uint64_t load_record::transport_error_count() const {
  std::uint64_t n = 0;
  for (auto e : transport_errors)
    n += e;
  return n;
}

} // namespace taskmesh::verify
