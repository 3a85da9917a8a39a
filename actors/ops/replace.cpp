// File: actors/ops/replace.cpp
// replace: params {"find": non-empty string, "replace": string}; result
// {"text": ..., "replacements": N}. Literal (no patterns), left to right,
// non-overlapping: "aaaa" find "aa" is 2 replacements, "aaa" find "aa" is 1.
#include <cstring>

#include "actors/model/decimal.hpp"
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

// Next occurrence of `needle` in `text` at or after `from`, or npos. glibc's
// memmem is linear in the worst case (two-way); string_view::find compares
// at every candidate and is O(text x needle) on inputs like "aaa...ab".
std::size_t find_from(std::string_view text, std::string_view needle, std::size_t from) noexcept {
  if (from > text.size())
    return std::string_view::npos;
  const void* hit = ::memmem(text.data() + from, text.size() - from, needle.data(), needle.size());
  return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - text.data())
             : std::string_view::npos;
}

op_outcome run(const op_input& in) {
  const auto* find = ops::string_param(in.params, "find");
  const auto* replacement = ops::string_param(in.params, "replace");
  if (find == nullptr || find->empty() || replacement == nullptr)
    return op_outcome::permanent("replace: params need a non-empty string \"find\" and a string \"replace\"");
  const std::string_view text = in.payload;
  const std::string_view needle(find->data(), find->size());
  const std::string_view with(replacement->data(), replacement->size());

  // First pass: count, so the result's size is known before it is built
  // (a 1 KB replacement of every byte of 100 KB is 100 MB).
  std::size_t count = 0;
  for (std::size_t at = find_from(text, needle, 0); at != std::string_view::npos;
       at = find_from(text, needle, at + needle.size()))
    ++count;
  // Escaping is per byte, so the escaped result is the escaped text with
  // each needle's escaped bytes swapped for the replacement's.
  const std::size_t text_bytes = ops::json_string_size(text) -
                                 count * (ops::json_string_size(needle) - 2) +
                                 count * (ops::json_string_size(with) - 2);
  const std::size_t size = text_bytes + 25 + ops::uint_size(count); // {"text":,"replacements":}
  if (!in.budget.fits(size))
    return op_outcome::result_too_large(in.budget);

  std::string out;
  out.reserve(size);
  out += R"({"text":)";
  if (count == 0) {
    ops::append_json_string(out, text); // the common miss: no copy of the text
  } else {
    std::string& buf = ops::scratch_buffer();
    buf.clear();
    buf.reserve(text.size() - count * needle.size() + count * with.size());
    std::size_t from = 0;
    for (std::size_t at = find_from(text, needle, 0); at != std::string_view::npos;
         at = find_from(text, needle, from)) {
      buf.append(text.data() + from, at - from).append(with);
      from = at + needle.size();
    }
    buf.append(text.substr(from));
    ops::append_json_string(out, buf);
    ops::trim_scratch_buffer();
  }
  out += R"(,"replacements":)";
  append_decimal(out, count);
  out += '}';
  return op_outcome::ok(std::move(out));
}

} // namespace

const op_definition& replace_op() {
  static constexpr op_definition def{"replace", payload_kind::text, validate, run};
  return def;
}

} // namespace taskmesh
