// File: tests/fuzz/json_task_fuzzer.cpp
// The JSON task decoder: request body bytes -> parse_json_body ->
// parse_task / parse_task_batch, as POST /task and POST /tasks run them.
// Checks: no crash or sanitizer report; an error is a 400 whose JSON body is
// valid; an accepted task survives the trip to the wire and back (what
// cluster mode does with it) unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "actors/codec/task_codec.hpp"
#include "tests/fuzz/round_trip.hpp"

using namespace taskmesh;

namespace {

void check_error(const api_error& e) {
  fuzz::check(e.status == 400, "decoder error is not a 400", e.code);
  fuzz::check(fuzz::is_json(error_to_json(e)), "error body is not JSON", e.message);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const op_registry ops = op_registry::builtin();
  static const codec_limits limits;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto v = parse_json_body(body, limits);
  if (auto* e = std::get_if<api_error>(&v)) {
    check_error(*e);
    return 0;
  }
  const auto& value = std::get<boost::json::value>(v);
  if (value.is_array()) {
    auto batch = parse_task_batch(value, ops, limits);
    if (auto* e = std::get_if<api_error>(&batch))
      check_error(*e);
    else
      for (const auto& t : std::get<std::vector<task>>(batch))
        fuzz::check_wire_round_trip(t, ops);
  } else {
    auto one = parse_task(value, ops, limits);
    if (auto* e = std::get_if<api_error>(&one))
      check_error(*e);
    else
      fuzz::check_wire_round_trip(std::get<task>(one), ops);
  }
  return 0;
}
