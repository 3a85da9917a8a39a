// File: actors/model/rare_string.hpp
// A string field that is empty for most tasks (params, idempotency key,
// trace context, tenant, error): one pointer instead of std::string's 32
// bytes, the text on the heap only when there is some. A queued task is held
// twice (its dispatcher lane and its store record), so these fields were a
// third of the memory a queued task costs (bench/core/memprobe.cpp).
//
// Reads like a const std::string (it converts to one, and to a
// std::string_view); writes assign from either. Copies are deep.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace taskmesh {

class rare_string {
public:
  rare_string() = default;
  rare_string(std::string_view s) { assign(s); }          // NOLINT: implicit, like std::string
  rare_string(const char* s) : rare_string(std::string_view{s}) {} // NOLINT
  rare_string(std::string&& s) { assign(std::move(s)); }  // NOLINT
  rare_string(const std::string& s) : rare_string(std::string_view{s}) {} // NOLINT
  rare_string(const rare_string& o) : rare_string(o.view()) {}
  rare_string(rare_string&&) noexcept = default;
  rare_string& operator=(const rare_string& o) {
    if (this != &o)
      assign(o.view());
    return *this;
  }
  rare_string& operator=(rare_string&&) noexcept = default;
  rare_string& operator=(std::string_view s) { return assign(s); }
  rare_string& operator=(std::string&& s) { return assign(std::move(s)); }
  // These overloads for const char* and std::string are not extras: with
  // both conversions above, a literal or a std::string would be ambiguous.
  rare_string& operator=(const char* s) { return assign(std::string_view{s}); }
  rare_string& operator=(const std::string& s) { return assign(std::string_view{s}); }

  rare_string& assign(std::string_view s) {
    if (s.empty())
      text_.reset();
    else if (text_)
      text_->assign(s);
    else
      text_ = std::make_unique<std::string>(s);
    return *this;
  }
  rare_string& assign(std::string&& s) {
    if (s.empty())
      text_.reset();
    else
      text_ = std::make_unique<std::string>(std::move(s));
    return *this;
  }

  void clear() noexcept { text_.reset(); }

  bool empty() const noexcept { return !text_; } // never holds an empty string
  std::size_t size() const noexcept { return text_ ? text_->size() : 0; }
  const std::string& str() const noexcept { return text_ ? *text_ : none(); }
  std::string_view view() const noexcept { return str(); }
  operator const std::string&() const noexcept { return str(); } // NOLINT
  operator std::string_view() const noexcept { return view(); }  // NOLINT

  friend bool operator==(const rare_string& a, const rare_string& b) noexcept {
    return a.view() == b.view();
  }
  friend bool operator==(const rare_string& a, std::string_view b) noexcept {
    return a.view() == b;
  }
  friend bool operator==(const rare_string& a, const char* b) noexcept {
    return a.view() == std::string_view{b};
  }
  friend bool operator==(const rare_string& a, const std::string& b) noexcept {
    return a.view() == std::string_view{b};
  }

private:
  static const std::string& none() noexcept {
    static const std::string empty;
    return empty;
  }
  std::unique_ptr<std::string> text_;
};

} // namespace taskmesh
