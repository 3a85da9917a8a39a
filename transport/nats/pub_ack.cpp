// File: transport/nats/pub_ack.cpp
#include "transport/nats/pub_ack.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace taskmesh::nats {
namespace {

publish_result invalid(std::string_view json) {
  publish_result r;
  r.err = make_error(NATS_ERR, "invalid PubAck: " + std::string(json.substr(0, 200)));
  return r;
}

} // namespace

publish_result parse_pub_ack(std::string_view json) {
  boost::system::error_code ec;
  const auto doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object())
    return invalid(json);
  const auto& o = doc.get_object();
  publish_result r;
  if (const auto* e = o.if_contains("error")) {
    const auto* eo = e->if_object();
    if (!eo)
      return invalid(json);
    int code = 0;
    if (const auto* c = eo->if_contains("err_code"); c && c->is_int64())
      code = static_cast<int>(c->as_int64());
    std::string text = "PubAck error";
    if (const auto* d = eo->if_contains("description"); d && d->is_string())
      text = std::string(d->get_string());
    r.err = error{make_error_code(NATS_ERR), code, std::move(text)};
    return r;
  }
  const auto* seq = o.if_contains("seq");
  if (!seq || !(seq->is_uint64() || (seq->is_int64() && seq->as_int64() >= 0)))
    return invalid(json);
  r.sequence = seq->is_uint64() ? seq->as_uint64() : static_cast<std::uint64_t>(seq->as_int64());
  if (const auto* d = o.if_contains("duplicate"); d && d->is_bool())
    r.duplicate = d->as_bool();
  return r;
}

publish_result read_pub_ack(natsMsg* reply) {
  if (natsMsg_IsNoResponders(reply)) {
    publish_result r;
    r.err = make_error(NATS_NO_RESPONDERS, "no stream listens on the subject (no responders)");
    return r;
  }
  const char* data = natsMsg_GetData(reply);
  return parse_pub_ack(std::string_view(data ? data : "", static_cast<std::size_t>(
                                                             std::max(0, natsMsg_GetDataLength(reply)))));
}

} // namespace taskmesh::nats
