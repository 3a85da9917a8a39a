// File: chaos/verify/verifier.hpp
// One verification run, start to end: /stats before, the open-loop submit
// phase (steady -> fault -> recover), settling every accepted task, the
// per-task execution counters, /stats after, the verdict. The local
// scenarios run it in a thread and inject their fault when signal() says
// phase::fault; taskmesh-verify runs it in main().
#pragma once

#include <ostream>
#include <stdexcept>

#include <boost/json/object.hpp>

#include "chaos/verify/phase_signal.hpp"
#include "chaos/verify/verdict.hpp"

namespace taskmesh::verify {

// The api did not answer at the start: nothing was measured.
struct setup_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct run_result {
  summary figures;
  boost::json::object json;
  bool passed() const { return figures.failures.empty(); }
};

class verifier {
public:
  explicit verifier(verify_config cfg); // a random run_id when none is set
  const verify_config& config() const { return cfg_; }
  phase_signal& signal() { return signal_; }

  // Throws setup_error when no api answers /stats within 10 s at the start.
  run_result run(std::ostream& progress);

private:
  verify_config cfg_;
  phase_signal signal_;
};

} // namespace taskmesh::verify
