// File: actors/codec/plain_reader.hpp
// Private to the codec: what its two document-free decoders share
// (plain_tasks.cpp for request bodies, plain_wire.cpp for task messages).
// Each hands Boost.JSON's SAX parser (basic_parser) a handler that takes
// the common shape of its input and stops at anything else, leaving that
// input to the general, document-based path. This base is the part of the
// handler they have in common: one task object, or an array of them, and
// nothing nested; Boost's handler interface for everything both refuse
// alike (bools, nulls, floats, numbers above int64, comments); keys
// assembled from their pieces and looked up once; each member taken at
// most once per object (a repeated key stops: which one a document keeps
// is the general path's business); string values routed to the member
// their key named.
//
// Derived (CRTP) provides: Member member_for(std::string_view key);
// void start_task() (a task object begins); bool append(Member,
// json::string_view piece), bool on_int64(...) and bool finish(task&)
// (false: stop).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>

#include "actors/model/task.hpp"

namespace taskmesh::plain {

namespace json = boost::json;

// Where the task objects may stand.
enum class shape : std::uint8_t { one_task, array_of_tasks, either };

// `Member` is an enum whose value 0 means "no member".
template <class Derived, class Member>
class task_reader {
public:
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  task_reader(shape where, std::size_t max_tasks) : where_(where), max_tasks_(max_tasks) {}

  std::vector<task>& tasks() noexcept { return tasks_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_array_begin(json::error_code& ec) {
    if (depth_ != 0 || where_ == shape::one_task)
      return stop(ec); // an array where a task or a task's value belongs
    in_array_ = true;
    depth_ = 1;
    return true;
  }
  bool on_array_end(std::size_t n, json::error_code& ec) {
    depth_ = 0;
    return (n > 0 && n <= max_tasks_) || stop(ec);
  }

  bool on_object_begin(json::error_code& ec) {
    if (depth_ != (in_array_ ? 1 : 0) || (where_ == shape::array_of_tasks && !in_array_))
      return stop(ec); // nested in a task (params, a JSON payload), or a lone task
    ++depth_;
    tasks_.emplace_back();
    at_ = Member{};
    seen_ = 0;
    self().start_task();
    return true;
  }
  bool on_object_end(std::size_t, json::error_code& ec) {
    --depth_;
    at_ = Member{}; // a value after the task, in the array, is no member
    return self().finish(tasks_.back()) || stop(ec);
  }

  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    at_ = self().member_for(key_);
    key_.clear();
    const auto bit = 1u << static_cast<unsigned>(at_);
    if (at_ == Member{} || (seen_ & bit))
      return stop(ec); // a member this decoder does not take, or a repeated one
    seen_ |= bit;
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t, json::error_code& ec) {
    return (at_ != Member{} && self().append(at_, s)) || stop(ec);
  }
  bool on_string(json::string_view s, std::size_t, json::error_code& ec) {
    return (at_ != Member{} && self().append(at_, s)) || stop(ec);
  }

  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code& ec) { return stop(ec); }
  bool on_double(double, json::string_view, json::error_code& ec) { return stop(ec); }
  bool on_bool(bool, json::error_code& ec) { return stop(ec); }
  bool on_null(json::error_code& ec) { return stop(ec); }
  bool on_comment_part(json::string_view, json::error_code& ec) { return stop(ec); }
  bool on_comment(json::string_view, json::error_code& ec) { return stop(ec); }

protected:
  // Stops the parser: any error code will do, the caller only sees "not plain".
  static bool stop(json::error_code& ec) {
    ec = json::error::exception;
    return false;
  }

  Member at() const noexcept { return at_; } // whose value comes next
  bool has(Member m) const noexcept { return seen_ & (1u << static_cast<unsigned>(m)); }

private:
  Derived& self() { return static_cast<Derived&>(*this); }

  const shape where_;
  const std::size_t max_tasks_;
  std::vector<task> tasks_;
  bool in_array_ = false;
  int depth_ = 0; // 1 in the array or a lone task, 2 in the array's task
  std::string key_; // a key arriving in pieces
  Member at_{};
  unsigned seen_ = 0; // members of the current object so far, by bit
};

// Runs `handler`'s parse over all of `text`: true if it took the whole of
// it as one complete value.
template <class Handler>
bool parse_all(json::basic_parser<Handler>& p, std::string_view text) {
  json::error_code ec;
  const std::size_t used = p.write_some(false, text.data(), text.size(), ec);
  return !ec && used == text.size() && p.done();
}

} // namespace taskmesh::plain
