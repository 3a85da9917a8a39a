// File: chaos/verify/main.cpp
// taskmesh-verify: flags (cli.cpp), one verifier run (verifier.hpp), the
// report. See chaos/README.md and docs/chaos.md.
#include <fstream>
#include <iostream>

#include <boost/json/serialize.hpp>

#include "chaos/verify/cli.hpp"
#include "chaos/verify/verifier.hpp"

int main(int argc, char** argv) {
  using namespace taskmesh::verify;
  auto parsed = parse_cli(argc, argv);
  if (auto* e = std::get_if<cli_exit>(&parsed)) {
    (e->code == 0 ? std::cout : std::cerr) << e->text;
    return e->code;
  }
  auto& opts = std::get<cli_options>(parsed);
  try {
    verifier v(opts.config);
    const run_result r = v.run(std::cerr);
    const std::string json = boost::json::serialize(r.json);
    if (opts.json_path.empty()) {
      std::cout << json << "\n";
    } else {
      std::ofstream(opts.json_path) << json << "\n";
    }
    std::cout << one_line(r.figures) << std::endl;
    return r.passed() ? 0 : 1;
  } catch (const setup_error& e) {
    std::cerr << "taskmesh-verify: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "taskmesh-verify: " << e.what() << "\n";
    return 3;
  }
}
