// File: actors/ops/registry.hpp
// The table of operations, name -> definition. Built once at start-up and
// then read-only, so every thread may share it without locks.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "actors/model/task.hpp"
#include "actors/ops/op.hpp"

namespace taskmesh {

class op_registry {
public:
  // All built-in ops (see registry.cpp for the list).
  static op_registry builtin();

  void add(const op_definition& op);
  // Disabled ops keep their index but are rejected at submit ("unknown_type").
  // Returns false if `name` is not an op.
  bool disable(std::string_view name);

  // nullptr if unknown or disabled.
  const op_definition* find(std::string_view name, op_index* index = nullptr) const;
  const op_definition& at(op_index index) const { return *ops_[index].def; }
  std::string_view name(op_index index) const { return ops_[index].def->name; }
  bool enabled(op_index index) const { return ops_[index].enabled; }
  std::size_t size() const noexcept { return ops_.size(); }

private:
  struct entry {
    const op_definition* def;
    bool enabled;
  };
  std::vector<entry> ops_;
};

} // namespace taskmesh
