// File: tests/fuzz/record_value_fuzzer.cpp
// The Valkey record decoder of cluster mode: a stored value ->
// decode_value, as GET /task, DELETE /task and taskmesh-verify read every
// record. A value comes from another process (and from older builds), so it
// is decoded defensively. Checks: no crash or sanitizer report; a refused
// value gets bad_record; a decoded record encodes again and decodes to the
// same record (a plain task's attempt start excepted: only a task with a
// delay stores one, record_codec.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_check.hpp"
#include "transport/valkey/record_codec.hpp"

using namespace taskmesh;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const task_id id = *task_id::parse("0190f5a2-7c3e-7abc-8def-0123456789ab");
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto decoded = valkey::decode_value(id, bytes);
  if (!decoded) {
    fuzz::check(decoded.err().code == valkey::errc::bad_record, "unexpected error code",
                decoded.err().message);
    return 0;
  }
  const task_record& r = decoded->record;
  const std::string again =
    valkey::encode_value(r, decoded->type, decoded->executions, decoded->commits);
  auto back = valkey::decode_value(id, again);
  if (!back)
    fuzz::fail("a decoded record does not decode from its own encoding", again);
  const task_record& u = back->record;
  const bool attempt_start_kept =
    u.attempt_started_at == (r.delay_ms > 0 ? r.attempt_started_at : 0);
  fuzz::check(u.id == r.id && u.status == r.status && u.prio == r.prio &&
                u.attempts == r.attempts && u.max_attempts == r.max_attempts &&
                u.submitted_at == r.submitted_at && u.started_at == r.started_at &&
                u.finished_at == r.finished_at && u.next_attempt_at == r.next_attempt_at &&
                u.result == r.result && u.error == r.error &&
                u.idempotency_key == r.idempotency_key && u.tenant == r.tenant &&
                u.delay_ms == r.delay_ms && attempt_start_kept && back->type == decoded->type &&
                back->executions == decoded->executions && back->commits == decoded->commits,
              "record round trip changed the record", again);
  return 0;
}
