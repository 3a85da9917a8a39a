// File: actors/model/api_error.hpp
// A client-facing error: the HTTP status and the body
// {"error":{"code":...,"message":...,"field":...}}. Produced by validation and
// by the HTTP layer; rendered in one place (transport/http/responses).
#pragma once

#include <string>

namespace taskmesh {

struct api_error {
  unsigned status = 400;
  std::string code;    // e.g. "invalid_field"
  std::string message; // human readable, precise
  std::string field;   // the offending field ("" if none), e.g. "params.find" or "[3].type"
};

} // namespace taskmesh
