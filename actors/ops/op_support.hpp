// File: actors/ops/op_support.hpp
// Helpers the op files share, private to actors/ops: strict params checks
// (every op rejects what it does not know, with the field named) and the
// writing of result JSON straight into one output string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "actors/ops/op.hpp"

namespace taskmesh::ops {

// --- params ---------------------------------------------------------------

params_error unknown_param(std::string_view field);
params_error param_error(std::string_view field, std::string_view message);
// "must be <expected>, got <JSON kind of got>"
params_error wrong_type(std::string_view field, std::string_view expected,
                        const boost::json::value& got);

// validate() of ops that take no params: the first key is the culprit.
std::optional<params_error> no_params(const boost::json::object& params);

// A JSON number that is an exact integer (int64 or uint64), else nullopt.
// Doubles are refused even when whole ("1.0"): params are typed strictly.
std::optional<std::int64_t> as_integer(const boost::json::value& v) noexcept;

// Typed lookups for run(). Params were validated at submit, but they may
// have crossed a process boundary since, so run() never trusts them blindly.
const boost::json::string* string_param(const boost::json::object& params,
                                        std::string_view key) noexcept;

// --- results --------------------------------------------------------------

// Appends `s` as a quoted, escaped JSON string. Escaping is Boost.JSON's; the
// bytes are copied as they are otherwise, so valid UTF-8 in means valid JSON out.
void append_json_string(std::string& out, std::string_view s);
// The bytes append_json_string would write for `s`, quotes included, found
// without writing them: how ops check --max-result-bytes before allocating.
std::size_t json_string_size(std::string_view s) noexcept;
// Bytes of append_decimal(out, n) (actors/model/decimal.hpp).
std::size_t uint_size(std::uint64_t n) noexcept;

// {"text":<text>}
std::string text_result(std::string_view text);
// Whether text_result(text) fits the budget. Counts escapes only when the
// worst case (every byte a \u00XX) would not fit anyway.
bool text_result_fits(std::string_view text, const op_budget& budget) noexcept;

// A per-thread buffer for ops that must transform the payload before it is
// escaped. Reused across runs so the hot path allocates only its result.
std::string& scratch_buffer() noexcept;
// Gives a large buffer's memory back once the run that grew it is done.
void trim_scratch_buffer() noexcept;

} // namespace taskmesh::ops
