// File: transport/http/types.hpp
// Short names for the Beast/Asio types used across the HTTP layer.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>

namespace taskmesh::http {

namespace beast = boost::beast;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

using request = bhttp::request<bhttp::string_body>;
using response = bhttp::response<bhttp::string_body>;
template <class T>
using awaitable = asio::awaitable<T>;

} // namespace taskmesh::http
