// File: apps/taskmesh/logging.hpp
// spdlog set-up: JSON lines (one object per line, for log shippers) or
// human-readable text, to stdout.
#pragma once

#include <string>

namespace taskmesh::app {

void setup_logging(const std::string& level, std::string format);

} // namespace taskmesh::app
