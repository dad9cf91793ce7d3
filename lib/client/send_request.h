// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// One send on the wire: a message (or a batch) made ready once — UNIQ_KEY
// chosen, body compressed or batch encoded — then turned into a
// SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE request for each attempt, and the
// broker's answer into a SendResult (RocketMQ's sendKernelImpl and
// MQClientAPIImpl.processSendResponse).

#ifndef RMQ_CLIENT_SEND_REQUEST_H_
#define RMQ_CLIENT_SEND_REQUEST_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/msg_id.h"
#include "remoting/protocol_headers.h"
#include "remoting/remoting_command.h"
#include "remoting/request_code.h"
#include "rmq/message.h"
#include "rmq/message_queue.h"
#include "rmq/producer.h"

namespace rmq::internal {

// A message or batch ready to send; the same for every attempt. Holds views
// of the message(s) it was prepared from, which must outlive it.
class PreparedSend {
 public:
  PreparedSend() = default;
  PreparedSend(const PreparedSend&) = delete;
  PreparedSend& operator=(const PreparedSend&) = delete;

  // A single message: its UNIQ_KEY (kept if it has one, else a new one),
  // its body compressed with zlib when at least compressMsgBodyOverHowmuch
  // bytes, the transaction flag, and for a retry topic the reconsume counts
  // moved from the properties into the header.
  // `now_ms`, if the caller has read the clock already, is the new UNIQ_KEY's
  // time (else the generator reads the clock).
  absl::Status PrepareMessage(const Message& msg, const ProducerConfig& config,
                              UniqKeyGenerator& ids, std::optional<int64_t> now_ms = std::nullopt);
  // A batch already checked (CheckBatchRules, CheckMessage for each): the
  // batch encoding; InvalidArgument if it exceeds maxMessageSize.
  absl::Status PrepareBatch(std::span<const Message> msgs, const ProducerConfig& config,
                            UniqKeyGenerator& ids);

  const std::string& topic() const { return *topic_; }
  bool batch() const { return batch_; }
  int32_t sys_flag() const { return sys_flag_; }
  // The bytes the request carries: the body, compressed, or the batch encoding.
  std::string_view body() const { return owns_body_ ? std::string_view(owned_body_) : body_view_; }
  // The result's msgId: the UNIQ_KEY, or a batch's comma-separated UNIQ_KEYs.
  std::string MsgId() const;
  // MsgId() into `out` (reusing its storage).
  void AssignMsgId(std::string* out) const;

  // The request's code: SEND_MESSAGE_V2, whose header has one-letter names
  // (what RocketMQ's clients send by default, sendSmartMsg: shorter to
  // encode and to decode), or SEND_BATCH_MESSAGE (whose header RocketMQ's
  // brokers read in that form only).
  int32_t code() const {
    return batch_ ? request_code::kSendBatchMessage : request_code::kSendMessageV2;
  }
  // The request for one attempt to `mq`, born at `born_ms`, carrying `body`.
  // With `lent`, the request borrows that header, filled in place, instead
  // of owning a new one.
  RemotingCommand BuildRequest(const MessageQueue& mq, const ProducerConfig& config,
                               int64_t born_ms, Payload body,
                               SendMessageRequestHeaderV2* lent = nullptr) const;
  // The request body for `addr`: borrowed for an in-process broker (its
  // handler runs while the caller waits); with `keep_alive`, shared with it;
  // else a copy, so no transport can outlive the bytes.
  Payload BodyFor(const std::string& addr, std::shared_ptr<const void> keep_alive) const;

 private:
  void EncodeProperties(std::string* out) const;

  const std::string* topic_ = nullptr;
  bool batch_ = false;
  int32_t sys_flag_ = 0;
  int32_t flag_ = 0;
  std::string_view body_view_;
  std::string owned_body_;
  bool owns_body_ = false;
  // A single message's properties; for a retry topic without the reconsume
  // counts, which travel in the header.
  const Message::Properties* properties_ = nullptr;
  bool drop_reconsume_properties_ = false;
  std::optional<int32_t> reconsume_times_;
  std::optional<int32_t> max_reconsume_times_;
  // A new UNIQ_KEY to add, or the message's own (then nothing is added).
  std::array<char, 32> new_uniq_key_{};
  bool add_uniq_key_ = false;
  std::string_view own_uniq_key_;
  // A batch: its request properties (WAIT) and its messages' UNIQ_KEYs.
  std::string batch_properties_;
  std::string batch_msg_ids_;
};

// This thread's send request header, lent to one request at a time for as
// long as this object lives, for a request that is done with when its call
// returns: a sync send to an in-process broker (which reads it on this
// thread during the call, as it does the borrowed body), and any send over
// TCP (encoded into a frame during the call). Reusing it from send to send
// allocates neither the header nor its strings. get() is null when the
// header is lent already (a send made during another's call) or `wanted`
// is false; the request then owns a header of its own.
class LentSendHeader {
 public:
  explicit LentSendHeader(bool wanted);
  ~LentSendHeader();
  LentSendHeader(const LentSendHeader&) = delete;
  LentSendHeader& operator=(const LentSendHeader&) = delete;

  SendMessageRequestHeaderV2* get() const { return header_; }

 private:
  SendMessageRequestHeaderV2* header_ = nullptr;
};

// Whether a sync send retries after the broker answered `code`: RocketMQ
// 4.9's retryResponseCodes (TOPIC_NOT_EXIST, SERVICE_NOT_AVAILABLE,
// SYSTEM_ERROR, NO_PERMISSION, NO_BUYER_ID, NOT_IN_CURRENT_UNIT).
bool IsRetryableSendCode(int32_t code);

// The result of `response` to a send of `send` to `mq` at `addr`.
// FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT and SLAVE_NOT_AVAILABLE are
// results (stored, with that status); any other code is an error, and
// `*broker_code` is set to it.
absl::StatusOr<SendResult> ParseSendResponse(RemotingCommand& response, const PreparedSend& send,
                                             const MessageQueue& mq, const std::string& addr,
                                             int32_t* broker_code);
// The same, into `*out` (a sync send's result, made where its caller
// receives it).
void ParseSendResponse(RemotingCommand& response, const PreparedSend& send, const MessageQueue& mq,
                       const std::string& addr, int32_t* broker_code,
                       absl::StatusOr<SendResult>* out);

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_SEND_REQUEST_H_
