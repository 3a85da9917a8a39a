// File: transport/http/stats_json.hpp
// The JSON of GET /stats, shared with the GET /events stream.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "actors/messages.hpp"

namespace taskmesh::http {

boost::json::object stats_object(const stats_snapshot& s);
std::string stats_json(const stats_snapshot& s);
// Serializes with doubles as operators read them ("0.174", not "1.74E-1").
std::string json_text(const boost::json::value& v);

} // namespace taskmesh::http
