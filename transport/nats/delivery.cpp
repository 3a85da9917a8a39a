// File: transport/nats/delivery.cpp
// Metadata read once at construction; outcomes through nats.c's natsMsg_*.
#include "transport/nats/delivery.hpp"

#include <utility>

namespace taskmesh::nats {

delivery::delivery(msg_ptr msg, std::shared_ptr<natsSubscription> sub, bool late)
  : sub_(std::move(sub)), msg_(std::move(msg)), late_(late) {
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
    msg_ = std::move(other.msg_); // the old message goes before the old subscription
    sub_ = std::move(other.sub_);
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
    natsMsg_Nak(msg_.get(), nullptr); // best effort: if it is lost, AckWait redelivers
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

error delivery::settle_with(natsStatus s) {
  settled_ = true; // even on failure: a second outcome would contradict the first
  return from_status(s);
}

error delivery::ack() {
  if (!msg_)
    return make_error(NATS_INVALID_ARG, "empty delivery");
  return settle_with(natsMsg_Ack(msg_.get(), nullptr));
}

error delivery::ack_sync() {
  if (!msg_)
    return make_error(NATS_INVALID_ARG, "empty delivery");
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = natsMsg_AckSync(msg_.get(), nullptr, &jerr);
  settled_ = true;
  return from_status(s, jerr);
}

error delivery::nak() {
  if (!msg_)
    return make_error(NATS_INVALID_ARG, "empty delivery");
  return settle_with(natsMsg_Nak(msg_.get(), nullptr));
}

error delivery::nak(std::chrono::milliseconds delay) {
  if (!msg_)
    return make_error(NATS_INVALID_ARG, "empty delivery");
  return settle_with(natsMsg_NakWithDelay(msg_.get(), delay.count(), nullptr));
}

error delivery::term() {
  if (!msg_)
    return make_error(NATS_INVALID_ARG, "empty delivery");
  return settle_with(natsMsg_Term(msg_.get(), nullptr));
}

error delivery::in_progress() {
  if (!msg_)
    return make_error(NATS_INVALID_ARG, "empty delivery");
  return from_status(natsMsg_InProgress(msg_.get(), nullptr));
}

void delivery::abandon() noexcept { settled_ = true; }

} // namespace taskmesh::nats
