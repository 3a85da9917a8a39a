// File: bench/loadgen/cli.hpp
// The command line of taskmesh-loadgen: every flag, its default and its
// bounds in one table (cli.cpp), parsed once into a load_config.
#pragma once

#include <optional>

#include "bench/loadgen/config.hpp"

namespace taskmesh::loadgen {

struct cli_result {
  std::optional<load_config> config; // nullopt: exit with exit_code
  bool json = false;
  int exit_code = 0; // 0 after --help, 2 for a bad flag
};

// Prints help or the error (naming the flag) itself.
cli_result parse_cli(int argc, char** argv);

} // namespace taskmesh::loadgen
