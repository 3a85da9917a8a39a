// File: transport/valkey/command.cpp
#include "transport/valkey/command.hpp"

#include <charconv>

namespace taskmesh::valkey {

command& command::arg(std::string_view borrowed) {
  // A null data pointer marks an owned piece; an empty borrowed view may
  // have one, so give it a valid address.
  pieces_.push_back({borrowed.empty() ? "" : borrowed.data(), 0, borrowed.size()});
  return *this;
}

command& command::copy(std::string_view text) {
  return append_owned(text);
}

command& command::append_owned(std::string_view text) {
  pieces_.push_back({nullptr, owned_.size(), text.size()});
  owned_.append(text);
  return *this;
}

command& command::append_number(std::int64_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  return append_owned(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

command& command::append_unsigned(std::uint64_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  return append_owned(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

void command::set(std::size_t i, std::string_view borrowed) {
  pieces_.at(i) = {borrowed.empty() ? "" : borrowed.data(), 0, borrowed.size()};
}

std::string_view command::operator[](std::size_t i) const {
  const piece& p = pieces_.at(i);
  return {p.data ? p.data : owned_.data() + p.offset, p.size};
}

void command::to_argv(std::vector<const char*>& argv, std::vector<std::size_t>& lens) const {
  argv.clear();
  lens.clear();
  argv.reserve(pieces_.size());
  lens.reserve(pieces_.size());
  for (const piece& p : pieces_) {
    argv.push_back(p.data ? p.data : owned_.data() + p.offset);
    lens.push_back(p.size);
  }
}

} // namespace taskmesh::valkey
