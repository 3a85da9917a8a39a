// File: bench/loadgen/main.cpp
// taskmesh-loadgen: flags in, one run, report out. All logic lives in the
// taskmesh::loadgen library so the tests drive it without the binary.
#include <iostream>

#include "bench/loadgen/accepted_ids.hpp"
#include "bench/loadgen/cli.hpp"
#include "bench/loadgen/e2e.hpp"
#include "bench/loadgen/engine.hpp"
#include "bench/loadgen/report.hpp"
#include "bench/loadgen/report_format.hpp"
#include "bench/loadgen/runner.hpp"

int main(int argc, char** argv) {
  using namespace taskmesh::loadgen;
  const cli_result cli = parse_cli(argc, argv);
  if (!cli.config) return cli.exit_code;
  const load_config& cfg = *cli.config;
  std::ostream& text = cli.json ? std::cerr : std::cout;
  try {
    if (cfg.mode == run_mode::e2e) {
      const e2e_result r = run_e2e(cfg);
      if (cli.json) std::cout << json_text(e2e_report_json(cfg, r)) << std::endl;
      text << e2e_report_text(cfg, r) << std::flush;
    } else {
      const load_result r = run_load(cfg);
      if (!cfg.accepted_out.empty() && !write_accepted(cfg.accepted_out, r.accepted)) {
        std::cerr << "taskmesh-loadgen: --accepted-out: cannot write " << cfg.accepted_out << "\n";
        return 1;
      }
      if (cli.json) std::cout << json_text(load_report_json(cfg, r)) << std::endl;
      text << load_report_text(cfg, r) << std::flush;
    }
  } catch (const setup_error& e) {
    std::cerr << "taskmesh-loadgen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
