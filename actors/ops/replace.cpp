// File: actors/ops/replace.cpp
// replace: params {"find": non-empty string, "replace": string}; result
// {"text": ..., "replacements": N}. Literal (no patterns), left to right,
// non-overlapping: "aaaa" find "aa" is 2 replacements, "aaa" find "aa" is 1.
#include "actors/ops/builtin_ops.hpp"
#include "actors/ops/op_support.hpp"

namespace taskmesh {
namespace {

std::optional<params_error> validate(const boost::json::object& params) {
  for (const auto& kv : params) {
    const std::string_view key = kv.key();
    if (key != "find" && key != "replace")
      return ops::unknown_param(key);
    const auto* s = kv.value().if_string();
    if (s == nullptr)
      return ops::wrong_type(key, "a string", kv.value());
    // An empty needle matches everywhere and would never advance.
    if (key == "find" && s->empty())
      return ops::param_error(key, "must not be empty");
  }
  if (!params.contains("find"))
    return ops::param_error("find", "is required");
  if (!params.contains("replace"))
    return ops::param_error("replace", "is required");
  return std::nullopt;
}

op_outcome result(std::string_view text, std::size_t replacements) {
  std::string out;
  out.reserve(text.size() + 40);
  out += R"({"text":)";
  ops::append_json_string(out, text);
  out += R"(,"replacements":)";
  ops::append_uint(out, replacements);
  out += '}';
  return op_outcome::ok(std::move(out));
}

op_outcome run(const op_input& in) {
  const auto* find = ops::string_param(in.params, "find");
  const auto* replacement = ops::string_param(in.params, "replace");
  if (find == nullptr || find->empty() || replacement == nullptr)
    return op_outcome::permanent("replace: params need a non-empty string \"find\" and a string \"replace\"");
  const std::string_view text = in.payload;
  const std::string_view needle(find->data(), find->size());
  const std::string_view with(replacement->data(), replacement->size());

  std::size_t at = text.find(needle);
  if (at == std::string_view::npos)
    return result(text, 0); // the common miss: no copy of the text at all

  std::string& buf = ops::scratch_buffer();
  buf.clear();
  std::size_t from = 0;
  std::size_t count = 0;
  for (; at != std::string_view::npos; at = text.find(needle, from)) {
    buf.append(text.data() + from, at - from).append(with);
    from = at + needle.size();
    ++count;
  }
  buf.append(text.substr(from));
  auto out = result(buf, count);
  ops::trim_scratch_buffer();
  return out;
}

} // namespace

const op_definition& replace_op() {
  static constexpr op_definition def{"replace", payload_kind::text, validate, run};
  return def;
}

} // namespace taskmesh
