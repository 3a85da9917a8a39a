// File: tests/fuzz/task_wire_fuzzer.cpp
// The NATS wire decoder of cluster mode: a JetStream message body ->
// task_from_wire, and tasks_from_wire (the document-free reader in front of
// the general decoder), as the worker pods' feeder decodes every delivery.
// A message is input from another process, so it is decoded defensively.
// Checks: no crash or sanitizer report; a refused message gets the
// invalid_task_message code; a decoded task encodes again (the feeder may
// republish it) and decodes to the same task; what the document-free
// reader takes, the general decoder decodes to the same tasks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "actors/codec/task_codec.hpp"
#include "tests/fuzz/round_trip.hpp"

using namespace taskmesh;

namespace {

void check_plain_reader(std::string_view bytes, const op_registry& ops) {
  const auto plain = plain_tasks_from_wire(bytes, ops);
  if (!plain)
    return;
  const auto general = tasks_from_wire_document(bytes, ops);
  fuzz::check(plain->size() == general.size(), "plain and general task counts differ", bytes);
  for (std::size_t i = 0; i < general.size(); ++i) {
    const task* g = std::get_if<task>(&general[i]);
    fuzz::check(g != nullptr, "plain reader took a task the general decoder refuses", bytes);
    fuzz::check(fuzz::same_task((*plain)[i], *g),
                "plain reader and general decoder made different tasks", bytes);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const op_registry ops = op_registry::builtin();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_plain_reader(bytes, ops);
  auto decoded = task_from_wire(bytes, ops);
  if (auto* e = std::get_if<api_error>(&decoded)) {
    fuzz::check(e->code == "invalid_task_message", "unexpected error code", e->code);
    fuzz::check(fuzz::is_json(error_to_json(*e)), "error body is not JSON", e->message);
    return 0;
  }
  fuzz::check_wire_round_trip(std::get<task>(decoded), ops);
  return 0;
}
