// File: tests/fuzz/json_task_fuzzer.cpp
// The JSON task decoder: request body bytes -> parse_json_body ->
// parse_task / parse_task_batch, and the document-free parse_plain_tasks
// in front of them, as POST /task and POST /tasks run them.
// Checks: no crash or sanitizer report; an error is a 400 whose JSON body is
// valid; an accepted task survives the trip to the wire and back (what
// cluster mode does with it) unchanged; what parse_plain_tasks takes, the
// general path accepts too, as the same tasks.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "actors/codec/task_codec.hpp"
#include "tests/fuzz/round_trip.hpp"

using namespace taskmesh;

namespace {

void check_error(const api_error& e) {
  fuzz::check(e.status == 400, "decoder error is not a 400", e.code);
  fuzz::check(fuzz::is_json(error_to_json(e)), "error body is not JSON", e.message);
}

// The tasks parse_plain_tasks made against the general path's (ids and
// submission times are new per parse).
void check_same_tasks(const std::vector<task>& plain, const std::vector<task>& general,
                      std::string_view body) {
  fuzz::check(plain.size() == general.size(), "plain and general task counts differ", body);
  for (std::size_t i = 0; i < plain.size(); ++i)
    fuzz::check(fuzz::same_fields(plain[i], general[i]),
                "plain and general paths made different tasks", body);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const op_registry ops = op_registry::builtin();
  static const codec_limits limits;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto plain_batch = parse_plain_tasks(body, true, ops, limits);
  const auto plain_one = parse_plain_tasks(body, false, ops, limits);
  auto v = parse_json_body(body, limits);
  if (auto* e = std::get_if<api_error>(&v)) {
    fuzz::check(!plain_batch && !plain_one, "plain path took a body that is not JSON", body);
    check_error(*e);
    return 0;
  }
  const auto& value = std::get<boost::json::value>(v);
  if (value.is_array()) {
    fuzz::check(!plain_one, "plain path took an array as one task", body);
    auto batch = parse_task_batch(value, ops, limits);
    if (auto* e = std::get_if<api_error>(&batch)) {
      fuzz::check(!plain_batch, "plain path took a batch the general path refuses", body);
      check_error(*e);
    } else {
      const auto& tasks = std::get<std::vector<task>>(batch);
      if (plain_batch)
        check_same_tasks(*plain_batch, tasks, body);
      for (const auto& t : tasks)
        fuzz::check_wire_round_trip(t, ops);
    }
  } else {
    fuzz::check(!plain_batch, "plain path took a non-array as a batch", body);
    auto one = parse_task(value, ops, limits);
    if (auto* e = std::get_if<api_error>(&one)) {
      fuzz::check(!plain_one, "plain path took a task the general path refuses", body);
      check_error(*e);
    } else {
      if (plain_one)
        check_same_tasks(*plain_one, {std::get<task>(one)}, body);
      fuzz::check_wire_round_trip(std::get<task>(one), ops);
    }
  }
  return 0;
}
