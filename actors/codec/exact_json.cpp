// File: actors/codec/exact_json.cpp
// A basic_parser handler shaped like Boost.JSON's own (a value_stack), except
// that a double is read again from its text with std::from_chars.
#include "actors/codec/exact_json.hpp"

#include <charconv>
#include <cstdint>
#include <string>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

namespace taskmesh::exact_json {
namespace json = boost::json;
namespace {

class exact_handler {
public:
  constexpr static std::size_t max_object_size = json::object::max_size();
  constexpr static std::size_t max_array_size = json::array::max_size();
  constexpr static std::size_t max_key_size = json::string::max_size();
  constexpr static std::size_t max_string_size = json::string::max_size();

  json::value_stack stack;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    stack.push_array(n);
    return true;
  }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) {
    stack.push_object(n);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    stack.push_string(s);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    stack.push_key(s);
    return true;
  }
  // A number split across input chunks arrives in parts; the last part comes
  // with its value.
  bool on_number_part(json::string_view s, json::error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    number_.clear();
    stack.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    number_.clear();
    stack.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view s, json::error_code&) {
    number_.append(s.data(), s.size());
    double exact = d;
    const auto [end, err] = std::from_chars(number_.data(), number_.data() + number_.size(), exact);
    if (err != std::errc{} || end != number_.data() + number_.size())
      exact = d; // out of range: keep Boost's infinity or zero
    number_.clear();
    stack.push_double(exact);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    stack.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

private:
  std::string number_;
};

} // namespace

json::value parse(std::string_view text, json::error_code& ec, const json::parse_options& opt,
                  json::storage_ptr sp) {
  json::basic_parser<exact_handler> parser{opt};
  parser.handler().stack.reset(std::move(sp));
  const auto used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size())
    ec = json::error::extra_data;
  if (ec)
    return nullptr;
  return parser.handler().stack.release();
}

} // namespace taskmesh::exact_json
