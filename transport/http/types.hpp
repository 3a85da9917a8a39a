// File: transport/http/types.hpp
// Short names for the Beast/Asio types used across the HTTP layer. Requests
// are Beast's; responses are our own (response.hpp).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>

#include "transport/http/response.hpp"

namespace taskmesh::http {

namespace beast = boost::beast;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

using request = bhttp::request<bhttp::string_body>;
template <class T>
using awaitable = asio::awaitable<T>;

} // namespace taskmesh::http
