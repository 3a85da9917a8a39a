// File: actors/model/decimal.hpp
// An integer as decimal text: the one way the hot paths write numbers (op
// results, task messages, Valkey records and commands, HTTP heads and
// events). std::to_chars into digits held in place, so nothing is allocated
// but what the caller appends to. Messages meant for people use
// std::to_string.
#pragma once

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

namespace taskmesh {

class decimal {
public:
  template <std::integral T>
  explicit decimal(T n) noexcept
    : size_(static_cast<std::size_t>(std::to_chars(digits_, digits_ + sizeof digits_, n).ptr - digits_)) {}

  std::string_view view() const noexcept { return {digits_, size_}; }

private:
  // Declared first: size_'s initializer writes the digits. 20 fit the
  // longest, -9223372036854775808 and 18446744073709551615.
  char digits_[20];
  std::size_t size_;
};

template <std::integral T>
void append_decimal(std::string& out, T n) {
  out += decimal(n).view();
}

} // namespace taskmesh
