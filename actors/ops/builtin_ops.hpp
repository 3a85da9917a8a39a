// File: actors/ops/builtin_ops.hpp
// The built-in ops, one definition per .cpp file in this folder. Only
// registry.cpp (and the tests) should need these: everyone else finds ops
// by name through op_registry.
#pragma once

#include "actors/ops/op.hpp"

namespace taskmesh {

const op_definition& echo_op();      // {"payload": <payload as given>}
const op_definition& wordcount_op(); // {"words": N}
const op_definition& linecount_op(); // {"lines": N}
const op_definition& uppercase_op(); // {"text": ...}
const op_definition& lowercase_op(); // {"text": ...}
const op_definition& replace_op();   // {"text": ..., "replacements": N}
const op_definition& extract_op();   // {"matches": [...], "count": N}
const op_definition& sha256_op();    // {"sha256": "<hex>"}
const op_definition& fail_op();      // diagnostic: fails on demand

} // namespace taskmesh
