// File: actors/codec/exact_json.hpp
// Private to the codec: JSON parsing whose numbers are correctly rounded.
// Boost.JSON 1.81 parses some long or large-exponent numbers one unit in the
// last place off, so parse(serialize(x)) was not always x: a payload number
// changed on its way from an api pod to a worker (found by task_wire_fuzzer).
// Its serializer writes the shortest text that reads back exactly, so with
// std::from_chars (correctly rounded) on the reading side every double
// survives any number of wire round trips.
#pragma once

#include <string_view>

#include <boost/json/error.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

namespace taskmesh::exact_json {

// As boost::json::parse(text, ec, {}, opt), with correctly rounded doubles.
// A number beyond a double's range keeps Boost's infinity (or zero), which
// json_numbers::has_non_finite then refuses. The value's memory comes from
// `sp` (default: the heap).
boost::json::value parse(std::string_view text, boost::json::error_code& ec,
                         const boost::json::parse_options& opt = {},
                         boost::json::storage_ptr sp = {});

} // namespace taskmesh::exact_json
