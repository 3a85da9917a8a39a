// File: transport/valkey/command.hpp
// One Valkey command as an argument list, built without copying the large
// arguments: strings are borrowed (string_view into the caller's memory),
// numbers are formatted into one small buffer the command owns. The client
// encodes a whole pipeline into one RESP buffer (append_resp) and hands it to
// hiredis as preformatted (redisAppendFormattedCommand): hiredis's own
// formatter (redisFormatSdsCommandArgv, sdscatfmt per argument) was ~13% of
// an API pod's instructions, about 18k per task, measured with callgrind.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace taskmesh::valkey {

class command {
public:
  command() = default;
  explicit command(std::string_view name) { arg(name); }

  // Borrowed: the bytes must stay alive and unchanged until the call that
  // sends this command has returned.
  command& arg(std::string_view borrowed);
  command& arg(const char* literal) { return arg(std::string_view(literal)); }
  command& arg(std::string&&) = delete; // a temporary would dangle: use copy()

  // Copied into the command.
  command& copy(std::string_view text);

  // One argument that `write(std::string& out)` appends to the command's own
  // buffer: built in place, not in a string of its own and then copied.
  template <class Write>
  command& build(Write&& write) {
    const std::size_t offset = owned_.size();
    write(owned_);
    pieces_.push_back({nullptr, offset, owned_.size() - offset});
    return *this;
  }

  // Formatted in decimal into the command (bool and char are not numbers).
  template <std::integral Int>
    requires(!std::same_as<Int, bool> && !std::same_as<Int, char>)
  command& arg(Int n) {
    if constexpr (std::is_signed_v<Int>)
      return append_number(static_cast<std::int64_t>(n));
    else
      return append_unsigned(static_cast<std::uint64_t>(n));
  }

  // Replaces argument i by a borrowed string (e.g. EVALSHA sha -> EVAL source).
  void set(std::size_t i, std::string_view borrowed);

  std::size_t size() const noexcept { return pieces_.size(); }
  bool empty() const noexcept { return pieces_.empty(); }
  std::string_view operator[](std::size_t i) const;

  // Appends the command as the server reads it: a RESP array of bulk
  // strings ("*<n>\r\n" then "$<len>\r\n<bytes>\r\n" per argument).
  void append_resp(std::string& out) const;

private:
  // Owned pieces keep an offset into owned_ (stable across moves and copies
  // of the command, unlike a pointer into a short string's inline buffer).
  struct piece {
    const char* data = nullptr; // borrowed; nullptr: owned at `offset`
    std::size_t offset = 0;
    std::size_t size = 0;
  };
  command& append_owned(std::string_view text);
  command& append_number(std::int64_t n);
  command& append_unsigned(std::uint64_t n);

  std::vector<piece> pieces_;
  std::string owned_;
};

} // namespace taskmesh::valkey
