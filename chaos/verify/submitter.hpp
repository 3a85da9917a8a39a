// File: chaos/verify/submitter.hpp
// The submit phase: an open-loop load of planned tasks (task_plan.hpp) at
// cfg.rate for steady + fault + recover. Slot g is due at g / rate seconds;
// connection c owns slots c, c + C, ... (bench/loadgen's open_loop_schedule),
// and its latency is timed from the due time, so a stalled api is charged
// for every task it delayed. A 503, reset or timeout retries the same key
// (backing off 50 ms doubling to 1 s) until it is answered 202 or 200, or
// cfg.retry_for after its due time. Phase changes go to `signal`; a
// progress line goes to `progress` every cfg.progress_every.
#pragma once

#include <ostream>

#include "chaos/verify/api_link.hpp"
#include "chaos/verify/load_record.hpp"
#include "chaos/verify/phase_signal.hpp"

namespace taskmesh::verify {

load_record submit_load(const verify_config& cfg, const api_set& apis, phase_signal& signal,
                        std::ostream& progress);

} // namespace taskmesh::verify
