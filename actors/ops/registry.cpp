// File: actors/ops/registry.cpp
// The list of built-in ops: adding an op is one line here plus its file.
#include "actors/ops/registry.hpp"

#include <limits>
#include <stdexcept>
#include <string>

#include "actors/ops/builtin_ops.hpp"

namespace taskmesh {

op_registry op_registry::builtin() {
  op_registry r;
  r.add(echo_op());
  r.add(wordcount_op());
  r.add(linecount_op());
  r.add(uppercase_op());
  r.add(lowercase_op());
  r.add(replace_op());
  r.add(extract_op());
  r.add(sha256_op());
  r.add(fail_op());
  return r;
}

// Runs at start-up only, so a broken op table is an exception, not a state.
void op_registry::add(const op_definition& op) {
  if (op.name.empty() || op.validate == nullptr || op.run == nullptr)
    throw std::invalid_argument("op_registry: op needs a name, validate and run");
  for (const entry& e : ops_)
    if (e.def->name == op.name)
      throw std::invalid_argument("op_registry: duplicate op \"" + std::string(op.name) + '"');
  if (ops_.size() > std::numeric_limits<op_index>::max())
    throw std::length_error("op_registry: more ops than op_index can number");
  ops_.push_back({&op, true});
}

bool op_registry::disable(std::string_view name) {
  for (entry& e : ops_) {
    if (e.def->name == name) {
      e.enabled = false;
      return true;
    }
  }
  return false;
}

// A linear scan: a dozen ops compare faster than they hash.
const op_definition* op_registry::find(std::string_view name, op_index* index) const {
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    const entry& e = ops_[i];
    if (e.def->name != name)
      continue;
    if (!e.enabled)
      return nullptr;
    if (index != nullptr)
      *index = static_cast<op_index>(i);
    return e.def;
  }
  return nullptr;
}

} // namespace taskmesh
