// File: web/web_assets.hpp
// The web UI's files, compiled into the binary at build time
// (web/CMakeLists.txt); the HTTP server serves them at / and /ui/.
#pragma once

#include "transport/http/web_asset.hpp"

namespace taskmesh::web {

http::web_assets assets();

} // namespace taskmesh::web
