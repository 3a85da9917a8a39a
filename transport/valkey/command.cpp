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

void command::append_resp(std::string& out) const {
  auto header = [&out](char kind, std::size_t n) {
    char buf[24];
    buf[0] = kind;
    const auto r = std::to_chars(buf + 1, buf + sizeof buf - 2, n);
    *r.ptr = '\r';
    *(r.ptr + 1) = '\n';
    out.append(buf, static_cast<std::size_t>(r.ptr + 2 - buf));
  };
  header('*', pieces_.size());
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    const std::string_view text = (*this)[i];
    header('$', text.size());
    out.append(text);
    out.append("\r\n", 2);
  }
}

} // namespace taskmesh::valkey
