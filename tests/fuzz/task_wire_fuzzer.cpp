// File: tests/fuzz/task_wire_fuzzer.cpp
// The NATS wire decoder of cluster mode: a JetStream message body ->
// task_from_wire, as the worker pods' feeder decodes every delivery. A
// message is input from another process, so it is decoded defensively.
// Checks: no crash or sanitizer report; a refused message gets the
// invalid_task_message code; a decoded task encodes again (the feeder may
// republish it) and decodes to the same task.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "actors/codec/task_codec.hpp"
#include "tests/fuzz/round_trip.hpp"

using namespace taskmesh;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const op_registry ops = op_registry::builtin();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto decoded = task_from_wire(bytes, ops);
  if (auto* e = std::get_if<api_error>(&decoded)) {
    fuzz::check(e->code == "invalid_task_message", "unexpected error code", e->code);
    fuzz::check(fuzz::is_json(error_to_json(*e)), "error body is not JSON", e->message);
    return 0;
  }
  fuzz::check_wire_round_trip(std::get<task>(decoded), ops);
  return 0;
}
