// File: transport/http/responses.cpp
#include "transport/http/responses.hpp"

#include "actors/codec/task_codec.hpp"

namespace taskmesh::http {
namespace {

response make(unsigned version, bool keep_alive, bhttp::status status, std::string body) {
  response res{status, version};
  res.set(bhttp::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  return res;
}

} // namespace

// Keep-alive is the session's to settle (it ANDs the request's wish with the
// response's); a handler's answer keeps the connection unless it says not to.
response json_response(const request& req, bhttp::status status, std::string body) {
  return make(req.version(), true, status, std::move(body));
}

response error_response(unsigned version, bool keep_alive, const api_error& e) {
  auto res = make(version, keep_alive, static_cast<bhttp::status>(e.status), error_to_json(e));
  if (e.status == 503)
    res.set(bhttp::field::retry_after, "1");
  return res;
}

response error_response(const request& req, const api_error& e) {
  return error_response(req.version(), true, e);
}

response error_response(const request& req, bhttp::status status, std::string code,
                        std::string message, std::string field) {
  return error_response(req, api_error{static_cast<unsigned>(status), std::move(code),
                                       std::move(message), std::move(field)});
}

} // namespace taskmesh::http
