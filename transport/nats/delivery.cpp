// File: transport/nats/delivery.cpp
// Metadata read once at construction (nats.c parses the $JS.ACK reply
// subject); outcomes published to that subject.
#include "transport/nats/delivery.hpp"

#include <string>
#include <utility>

namespace taskmesh::nats {

delivery::delivery(msg_ptr msg, std::shared_ptr<natsSubscription> sub, natsConnection* conn,
                   std::chrono::milliseconds sync_timeout, bool late)
  : sub_(std::move(sub)), conn_(conn), sync_timeout_(sync_timeout), msg_(std::move(msg)), late_(late) {
  jsMsgMetaData* raw = nullptr;
  if (msg_ && natsMsg_GetMetaData(&raw, msg_.get()) == NATS_OK) {
    msg_meta_ptr meta(raw);
    num_delivered_ = meta->NumDelivered;
    stream_seq_ = meta->Sequence.Stream;
    num_pending_ = meta->NumPending;
    timestamp_ns_ = meta->Timestamp;
  }
}

delivery::~delivery() { nak_if_unsettled(); }

delivery::delivery(delivery&& other) noexcept
  : sub_(std::move(other.sub_)),
    conn_(other.conn_),
    sync_timeout_(other.sync_timeout_),
    msg_(std::move(other.msg_)),
    num_delivered_(other.num_delivered_),
    stream_seq_(other.stream_seq_),
    num_pending_(other.num_pending_),
    timestamp_ns_(other.timestamp_ns_),
    late_(other.late_),
    settled_(std::exchange(other.settled_, true)) {}

delivery& delivery::operator=(delivery&& other) noexcept {
  if (this != &other) {
    nak_if_unsettled();
    msg_ = std::move(other.msg_);
    sub_ = std::move(other.sub_);
    conn_ = other.conn_;
    sync_timeout_ = other.sync_timeout_;
    num_delivered_ = other.num_delivered_;
    stream_seq_ = other.stream_seq_;
    num_pending_ = other.num_pending_;
    timestamp_ns_ = other.timestamp_ns_;
    late_ = other.late_;
    settled_ = std::exchange(other.settled_, true);
  }
  return *this;
}

void delivery::nak_if_unsettled() noexcept {
  if (msg_ && !settled_) {
    settled_ = true;
    (void)send("-NAK"); // best effort: if it is lost, AckWait redelivers
  }
}

std::string_view delivery::subject() const noexcept {
  const char* s = msg_ ? natsMsg_GetSubject(msg_.get()) : nullptr;
  return s ? std::string_view(s) : std::string_view();
}

std::string_view delivery::data() const noexcept {
  if (!msg_)
    return {};
  const char* d = natsMsg_GetData(msg_.get());
  const int n = natsMsg_GetDataLength(msg_.get());
  return d && n > 0 ? std::string_view(d, static_cast<std::size_t>(n)) : std::string_view();
}

std::optional<std::string_view> delivery::header(const char* key) const noexcept {
  const char* value = nullptr;
  if (!msg_ || natsMsgHeader_Get(msg_.get(), key, &value) != NATS_OK || !value)
    return std::nullopt;
  return std::string_view(value);
}

std::string_view delivery::msg_id() const noexcept { return header("Nats-Msg-Id").value_or(""); }

std::string_view delivery::traceparent() const noexcept {
  return header("traceparent").value_or("");
}

result<const char*> delivery::ack_subject() const {
  if (!msg_ || !conn_)
    return make_error(NATS_INVALID_ARG, "empty delivery");
  const char* reply = natsMsg_GetReply(msg_.get());
  if (!reply)
    return make_error(NATS_INVALID_ARG, "not a JetStream message (no reply subject)");
  return reply;
}

error delivery::send(std::string_view body) {
  auto subject = ack_subject();
  if (!subject)
    return subject.err();
  return from_status(
    natsConnection_Publish(conn_, *subject, body.data(), static_cast<int>(body.size())));
}

error delivery::settle(std::string_view body) {
  if (!msg_)
    return make_error(NATS_INVALID_ARG, "empty delivery");
  settled_ = true; // even on failure: a second outcome would contradict the first
  return send(body);
}

error delivery::ack() { return settle("+ACK"); }

error delivery::ack_sync() {
  auto subject = ack_subject();
  if (!subject)
    return subject.err();
  settled_ = true;
  natsMsg* raw = nullptr;
  const natsStatus s = natsConnection_RequestString(&raw, conn_, *subject, "+ACK",
                                                    sync_timeout_.count());
  msg_ptr confirmation(raw);
  return from_status(s);
}

error delivery::nak() { return settle("-NAK"); }

error delivery::nak(std::chrono::milliseconds delay) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(delay).count();
  return settle("-NAK {\"delay\":" + std::to_string(ns) + "}");
}

error delivery::term() { return settle("+TERM"); }

error delivery::in_progress() { return send("+WPI"); }

void delivery::abandon() noexcept { settled_ = true; }

} // namespace taskmesh::nats
