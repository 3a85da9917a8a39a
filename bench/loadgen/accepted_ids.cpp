// File: bench/loadgen/accepted_ids.cpp
#include "bench/loadgen/accepted_ids.hpp"

#include <cstdio>
#include <memory>

namespace taskmesh::loadgen {

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
