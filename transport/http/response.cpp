// File: transport/http/response.cpp
#include "transport/http/response.hpp"

#include <boost/beast/core/string.hpp>

#include <stdexcept>

namespace taskmesh::http {
namespace {

constexpr std::string_view line_end = "\r\n";

// Names compare without case; the sizes first, as this runs for every field
// of every response.
bool same_name(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && boost::beast::iequals(a, b);
}

// Rendered by response_wire from the body and keep_alive(), never stored.
bool is_framing(std::string_view name) noexcept {
  return same_name(name, "Content-Length") || same_name(name, "Transfer-Encoding") ||
         same_name(name, "Connection");
}

bool valid_name(std::string_view name) noexcept {
  for (const char c : name)
    if (c == ':' || c == ' ' || c == '\r' || c == '\n')
      return false;
  return !name.empty();
}

// Two memchr scans (find_first_of would call memchr once per character).
bool valid_value(std::string_view value) noexcept {
  return value.find('\r') == std::string_view::npos && value.find('\n') == std::string_view::npos;
}

[[noreturn]] void refuse_framing(std::string_view name) {
  throw std::invalid_argument("http::response: " + std::string{name} +
                              " is written from the body and keep_alive(), not set");
}

void check_value(std::string_view value) {
  if (!valid_value(value))
    throw std::invalid_argument("http::response: a field value that would break the head");
}

} // namespace

response::response(status code, unsigned version)
  : status_(code), version_(version), keep_alive_(true) {
  fields_.reserve(128); // the fields of any JSON answer in one allocation
  fields_.append("Server: taskmesh\r\n");
}

// A name from Beast's field table is a valid name already: only whether it
// is a framing field needs checking, by its enum (two of these per 202).
void response::set(field name, std::string_view value) {
  if (name == field::content_length || name == field::transfer_encoding || name == field::connection)
    refuse_framing(boost::beast::http::to_string(name));
  check_value(value);
  replace_line(boost::beast::http::to_string(name), value);
}

void response::set(std::string_view name, std::string_view value) {
  if (!valid_name(name))
    throw std::invalid_argument("http::response: a field name that would break the head");
  if (is_framing(name))
    refuse_framing(name);
  check_value(value);
  replace_line(name, value);
}

void response::replace_line(std::string_view name, std::string_view value) {
  if (const auto at = find_line(name); at != std::string::npos)
    fields_.erase(at, fields_.find(line_end, at) + line_end.size() - at);
  fields_.append(name).append(": ").append(value).append(line_end);
}

std::string_view response::operator[](field name) const noexcept {
  return (*this)[boost::beast::http::to_string(name)];
}

std::string_view response::operator[](std::string_view name) const noexcept {
  const auto at = find_line(name);
  if (at == std::string::npos)
    return {};
  const auto value = at + name.size() + 2; // past "Name: "
  return std::string_view{fields_}.substr(value, fields_.find(line_end, value) - value);
}

bool response::contains(field name) const noexcept {
  return find_line(boost::beast::http::to_string(name)) != std::string::npos;
}

std::size_t response::find_line(std::string_view name) const noexcept {
  const std::string_view all{fields_};
  for (std::size_t at = 0; at < all.size();) {
    const auto colon = all.find(':', at);
    if (same_name(all.substr(at, colon - at), name))
      return at;
    at = all.find(line_end, colon) + line_end.size();
  }
  return std::string::npos;
}

} // namespace taskmesh::http
