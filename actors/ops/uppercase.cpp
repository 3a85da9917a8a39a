// File: actors/ops/uppercase.cpp
// uppercase: {"text": ...} with ASCII a-z mapped to A-Z. Every other byte,
// UTF-8 multibyte sequences included, is kept, so the text stays valid UTF-8.
#include <algorithm>

#include "actors/ops/builtin_ops.hpp"
#include "actors/ops/op_support.hpp"

namespace taskmesh {
namespace {

op_outcome run(const op_input& in) {
  if (!ops::text_result_fits(in.payload, in.budget))
    return op_outcome::result_too_large(in.budget);
  // Mapped straight into a reused buffer: one pass, no allocation, and
  // resize() only zero-fills when the buffer grows.
  std::string& text = ops::scratch_buffer();
  text.resize(in.payload.size());
  std::transform(in.payload.begin(), in.payload.end(), text.begin(), [](char c) {
    return static_cast<unsigned char>(c - 'a') < 26 ? static_cast<char>(c - ('a' - 'A')) : c;
  });
  auto out = op_outcome::ok(ops::text_result(text));
  ops::trim_scratch_buffer();
  return out;
}

} // namespace

const op_definition& uppercase_op() {
  static constexpr op_definition def{"uppercase", payload_kind::text, ops::no_params, run};
  return def;
}

} // namespace taskmesh
