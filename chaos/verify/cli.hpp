// File: chaos/verify/cli.hpp
// taskmesh-verify's flags -> verify_config. Kept apart from main() so the
// parsing is tested without running a load.
#pragma once

#include <string>
#include <variant>

#include "chaos/verify/config.hpp"

namespace taskmesh::verify {

struct cli_options {
  verify_config config;
  std::string json_path; // "" = JSON on stdout
};

// The parsed options, or the text to print and the exit status (0 for
// --help, 2 for a bad flag).
struct cli_exit {
  int code;
  std::string text;
};

std::variant<cli_options, cli_exit> parse_cli(int argc, const char* const* argv);

} // namespace taskmesh::verify
