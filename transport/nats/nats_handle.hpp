// File: transport/nats/nats_handle.hpp
// The one RAII header for nats.c (3.4.1): a tiny deleter per C handle and a
// std::unique_ptr alias for each, plus `msg_list` for natsMsgList (a struct
// filled in place, not a pointer). Nothing else in taskmesh calls a
// *_Destroy function of nats.c by hand.
#pragma once

#include <nats/nats.h>

#include <memory>
#include <utility>

namespace taskmesh::nats {

namespace detail {
template <class T, void (*Destroy)(T*)>
struct deleter {
  void operator()(T* p) const noexcept {
    if (p)
      Destroy(p);
  }
};
} // namespace detail

using options_ptr = std::unique_ptr<natsOptions, detail::deleter<natsOptions, natsOptions_Destroy>>;
using connection_ptr =
  std::unique_ptr<natsConnection, detail::deleter<natsConnection, natsConnection_Destroy>>;
using js_ptr = std::unique_ptr<jsCtx, detail::deleter<jsCtx, jsCtx_Destroy>>;
using subscription_ptr =
  std::unique_ptr<natsSubscription, detail::deleter<natsSubscription, natsSubscription_Destroy>>;
using msg_ptr = std::unique_ptr<natsMsg, detail::deleter<natsMsg, natsMsg_Destroy>>;
using stream_info_ptr =
  std::unique_ptr<jsStreamInfo, detail::deleter<jsStreamInfo, jsStreamInfo_Destroy>>;
using consumer_info_ptr =
  std::unique_ptr<jsConsumerInfo, detail::deleter<jsConsumerInfo, jsConsumerInfo_Destroy>>;
using pub_ack_ptr = std::unique_ptr<jsPubAck, detail::deleter<jsPubAck, jsPubAck_Destroy>>;
using msg_meta_ptr =
  std::unique_ptr<jsMsgMetaData, detail::deleter<jsMsgMetaData, jsMsgMetaData_Destroy>>;

// Owns what a Fetch or js_PublishAsyncGetPendingList filled in: the array
// and every message still in it. take(i) moves one message out (its slot
// becomes NULL, which natsMsgList_Destroy skips).
class msg_list {
public:
  msg_list() = default;
  ~msg_list() { natsMsgList_Destroy(&list_); }

  msg_list(const msg_list&) = delete;
  msg_list& operator=(const msg_list&) = delete;
  msg_list(msg_list&& other) noexcept : list_(std::exchange(other.list_, natsMsgList{})) {}
  msg_list& operator=(msg_list&& other) noexcept {
    if (this != &other) {
      natsMsgList_Destroy(&list_);
      list_ = std::exchange(other.list_, natsMsgList{});
    }
    return *this;
  }

  // For the C call that fills the list. The list must be empty.
  natsMsgList* out() noexcept { return &list_; }

  int size() const noexcept { return list_.Count; }
  natsMsg* at(int i) const noexcept { return list_.Msgs[i]; }
  msg_ptr take(int i) noexcept { return msg_ptr(std::exchange(list_.Msgs[i], nullptr)); }

private:
  natsMsgList list_{};
};

} // namespace taskmesh::nats
