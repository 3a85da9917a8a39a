// File: bench/loadgen/accepted_ids.cpp
#include "bench/loadgen/accepted_ids.hpp"

#include <cstdio>
#include <memory>

namespace taskmesh::loadgen {

void collect_ids(std::string_view body, std::int64_t due_us, std::vector<accepted_task>& out) {
  // taskmesh writes its answers compactly (no spaces), and an id never
  // contains a quote; a scan is enough and costs the loop little.
  constexpr std::string_view key = "\"id\":\"";
  for (auto at = body.find(key); at != std::string_view::npos; at = body.find(key, at)) {
    at += key.size();
    const auto end = body.find('"', at);
    if (end == std::string_view::npos)
      return;
    out.push_back({std::string(body.substr(at, end - at)), due_us});
    at = end + 1;
  }
}

bool write_accepted(const std::string& path, const std::vector<accepted_task>& tasks) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "w"), &std::fclose);
  if (!f)
    return false;
  for (const auto& t : tasks)
    if (std::fprintf(f.get(), "%s %lld\n", t.id.c_str(), static_cast<long long>(t.due_us)) < 0)
      return false;
  return std::fclose(f.release()) == 0;
}

} // namespace taskmesh::loadgen
