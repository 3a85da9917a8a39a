// File: transport/http/web_asset.hpp
// One file of the web UI as the server hands it out. The files are built by
// npm at build time and compiled into the binary (web/CMakeLists.txt), so
// the binary and the container image carry the UI with no extra step.
#pragma once

#include <span>
#include <string_view>

namespace taskmesh::http {

struct web_asset {
  std::string_view path;         // "/" or "/ui/app.js"
  std::string_view content_type;
  std::string_view body;
};

using web_assets = std::span<const web_asset>;

} // namespace taskmesh::http
