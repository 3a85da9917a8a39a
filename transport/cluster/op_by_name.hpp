// File: transport/cluster/op_by_name.hpp
// Op names (how ops travel between pods) -> this process's op indexes.
#pragma once

#include <optional>
#include <string_view>

#include "actors/ops/registry.hpp"

namespace taskmesh::cluster {

// Disabled ops keep their index, so a record of a type disabled here (but
// enabled on the pod that ran it) still reads back.
inline std::optional<op_index> op_by_name(const op_registry& ops, std::string_view name) {
  op_index i = 0;
  if (ops.find(name, &i))
    return i;
  for (std::size_t k = 0; k < ops.size(); ++k)
    if (ops.name(static_cast<op_index>(k)) == name)
      return static_cast<op_index>(k);
  return std::nullopt;
}

} // namespace taskmesh::cluster
