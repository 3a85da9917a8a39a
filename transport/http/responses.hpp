// File: transport/http/responses.hpp
// Building responses: JSON bodies with the right headers, and the API's
// error shape {"error":{"code","message","field"}} in one place.
#pragma once

#include <string>

#include "actors/model/api_error.hpp"
#include "transport/http/types.hpp"

namespace taskmesh::http {

response json_response(const request& req, bhttp::status status, std::string body);
response error_response(const request& req, const api_error& e);
response error_response(const request& req, bhttp::status status, std::string code,
                        std::string message, std::string field = {});
// For errors found before there is a parsed request (e.g. body too large).
response error_response(unsigned version, bool keep_alive, const api_error& e);

} // namespace taskmesh::http
