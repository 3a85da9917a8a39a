// File: actors/ops/extract.cpp
// extract: params {"pattern": RE2 syntax, "max_matches": 1..100000 (1000)};
// result {"matches": [whole matches, in order], "count": N}. A bad pattern is
// a params error at submit, carrying RE2's own message.
#include <cstdint>
#include <list>
#include <unordered_map>

#include <re2/re2.h>

#include "actors/model/decimal.hpp"
#include "actors/ops/builtin_ops.hpp"
#include "actors/ops/op_support.hpp"

namespace taskmesh {
namespace {

constexpr std::int64_t max_matches_limit = 100'000;
constexpr std::int64_t default_max_matches = 1'000;
// RE2's NFA simulation, measured on the worst case (every thread alive):
// about 50 ns per instruction per byte, so 20000 steps per millisecond.
constexpr std::uint64_t nfa_steps_per_ms = 20'000;

// Compiled patterns, least recently used dropped first. One per thread, so
// no locks; shared by validate (HTTP threads) and run (workers), so a
// pattern submitted over and over is compiled once per thread.
class pattern_cache {
public:
  static constexpr std::size_t capacity = 64;

  // The compiled pattern (check ok()); valid until the next get() on this thread.
  const RE2& get(std::string_view pattern) {
    if (auto it = index_.find(pattern); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->re;
    }
    if (lru_.size() == capacity) {
      index_.erase(lru_.back().pattern);
      lru_.pop_back();
    }
    lru_.emplace_front(pattern);
    index_.emplace(lru_.front().pattern, lru_.begin());
    return lru_.front().re;
  }

private:
  static RE2::Options options() {
    RE2::Options o;
    o.set_log_errors(false); // bad patterns are client errors, not log lines
    return o;
  }

  struct entry {
    explicit entry(std::string_view p) : pattern(p), re(pattern, options()) {}
    std::string pattern; // owns the bytes the index's key points into
    RE2 re;
  };
  std::list<entry> lru_; // front = most recently used
  std::unordered_map<std::string_view, std::list<entry>::iterator> index_;
};

const RE2& compiled(std::string_view pattern) {
  thread_local pattern_cache cache;
  return cache.get(pattern);
}

// \C matches a single byte and could cut a UTF-8 character in two, which
// would make the result invalid JSON. It is an escape only after an odd
// run of backslashes ("\\C" is a literal backslash and a C).
bool has_any_byte_escape(std::string_view pattern) noexcept {
  std::size_t backslashes = 0;
  for (char c : pattern) {
    if (c == 'C' && backslashes % 2 == 1)
      return true;
    backslashes = c == '\\' ? backslashes + 1 : 0;
  }
  return false;
}

std::optional<params_error> validate(const boost::json::object& params) {
  const boost::json::string* pattern = nullptr;
  for (const auto& kv : params) {
    const std::string_view key = kv.key();
    if (key == "pattern") {
      pattern = kv.value().if_string();
      if (pattern == nullptr)
        return ops::wrong_type(key, "a string", kv.value());
    } else if (key == "max_matches") {
      const auto n = ops::as_integer(kv.value());
      if (!n)
        return ops::wrong_type(key, "an integer", kv.value());
      if (*n < 1 || *n > max_matches_limit)
        return ops::param_error(key, "must be between 1 and 100000");
    } else {
      return ops::unknown_param(key);
    }
  }
  if (pattern == nullptr)
    return ops::param_error("pattern", "is required");
  const std::string_view p(pattern->data(), pattern->size());
  if (has_any_byte_escape(p))
    return ops::param_error("pattern", "invalid pattern: \\C (any byte) is not supported");
  const RE2& re = compiled(p);
  if (!re.ok())
    return ops::param_error("pattern", "invalid pattern: " + re.error());
  return std::nullopt;
}

// Length of the UTF-8 character that starts with `lead` (input is valid UTF-8).
std::size_t utf8_length(unsigned char lead) noexcept {
  return lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

op_outcome run(const op_input& in) {
  const auto* pattern = ops::string_param(in.params, "pattern");
  if (pattern == nullptr)
    return op_outcome::permanent("extract: params need a string \"pattern\"");
  const std::string_view p(pattern->data(), pattern->size());
  const RE2& re = compiled(p);
  if (!re.ok() || has_any_byte_escape(p))
    return op_outcome::permanent("extract: invalid pattern");
  std::int64_t limit = default_max_matches;
  if (const auto* v = in.params.if_contains("max_matches")) {
    const auto n = ops::as_integer(*v);
    if (!n || *n < 1 || *n > max_matches_limit)
      return op_outcome::permanent("extract: max_matches must be between 1 and 100000");
    limit = *n;
  }

  // RE2 never backtracks, but when its DFA runs out of memory it falls back
  // to simulating the NFA: up to one step per program instruction per byte,
  // inside one Match call that cannot be interrupted (1 MB of a|b text took
  // 144 s for ((a|b){50}){20}c). So the worst case of each call must fit the
  // time budget before it starts; the deadline is checked between calls.
  const auto worst_steps = static_cast<std::uint64_t>(re.ProgramSize()) * in.payload.size();
  if (worst_steps > static_cast<std::uint64_t>(in.budget.timeout().count()) * nfa_steps_per_ms)
    return op_outcome::permanent(
      "timeout: a pattern of " + std::to_string(re.ProgramSize()) + " instructions over " +
      std::to_string(in.payload.size()) + " bytes could run longer than " +
      std::to_string(in.budget.timeout().count()) + " ms (--op-timeout); use a simpler pattern "
      "or a smaller payload");

  const re2::StringPiece text(in.payload.data(), in.payload.size());
  std::string out = R"({"matches":[)";
  std::int64_t count = 0;
  std::size_t pos = 0;
  re2::StringPiece match;
  // Searching from `pos` within the whole text (not a substring) keeps ^, $
  // and \b seeing the real neighbours of each match. One Match is linear in
  // the text; a pattern like a(?:.*b)? makes each one scan to the end, so
  // the budget is checked between matches.
  while (count < limit && pos <= text.size() &&
         re.Match(text, pos, text.size(), RE2::UNANCHORED, &match, 1)) {
    if (in.budget.expired())
      return op_outcome::timed_out(in.budget);
    const std::string_view m(match.data(), match.size());
    // This match, its comma, and the closing ],"count":N}.
    const std::size_t size = out.size() + (count > 0 ? 1 : 0) + ops::json_string_size(m) + 11 +
                             ops::uint_size(static_cast<std::uint64_t>(count + 1));
    if (!in.budget.fits(size))
      return op_outcome::result_too_large(in.budget);
    if (count++ > 0)
      out += ',';
    ops::append_json_string(out, m);
    const std::size_t end = static_cast<std::size_t>(match.data() - text.data()) + match.size();
    // An empty match would be found again at the same place forever: step
    // over one whole character so the next search starts on a boundary.
    pos = !match.empty() ? end
          : end < text.size() ? end + utf8_length(static_cast<unsigned char>(text[end]))
                              : end + 1;
  }
  out += R"(],"count":)";
  append_decimal(out, static_cast<std::uint64_t>(count));
  out += '}';
  return op_outcome::ok(std::move(out));
}

} // namespace

const op_definition& extract_op() {
  static constexpr op_definition def{"extract", payload_kind::text, validate, run};
  return def;
}

} // namespace taskmesh
