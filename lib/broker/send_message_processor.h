// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// SendMessageProcessor: SEND_MESSAGE, SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE
// (RocketMQ's SendMessageProcessor). Checks the topic (name, existence or
// auto-creation, permission, queue id), turns the request into the store's
// message(s) and answers with the offset msgId(s), queue id and queue offset.
// A send to %RETRY%group whose reconsume count reached the group's maximum
// goes to %DLQ%group instead, as in RocketMQ.
//
// The store write happens on the caller's thread (under SYNC_FLUSH it waits
// for the group commit). The request body is only read during the call.

#ifndef RMQ_BROKER_SEND_MESSAGE_PROCESSOR_H_
#define RMQ_BROKER_SEND_MESSAGE_PROCESSOR_H_

#include <cstdint>
#include <memory>
#include <span>

#include "broker/broker_context.h"
#include "remoting/protocol_headers.h"
#include "remoting/remoting_command.h"
#include "remoting/transport.h"

namespace rmq::internal {

class SendMessageProcessor {
 public:
  explicit SendMessageProcessor(const BrokerContext& context) : ctx_(context) {}

  RemotingCommand Process(const Channel& channel, RemotingCommand& request);

 private:
  struct Target;  // The checked topic and queue.

  // RocketMQ's msgCheck and queue choice. Returns a response on failure.
  bool CheckAndPickQueue(const Channel& channel, const SendMessageRequestHeader& header,
                         Target* target, RemotingCommand* failure);
  // Redirects a retry-topic send past its retries to the DLQ (handleRetryAndDLQ).
  bool HandleRetryAndDlq(const RemotingCommand& request, const SendMessageRequestHeader& header,
                         Target* target, RemotingCommand* failure);
  RemotingCommand SendOne(const Channel& channel, const RemotingCommand& request,
                          const SendMessageRequestHeader& header);
  // SendOne's general path, for properties RewriteSendProperties leaves
  // alone: decoded into a MessageExt the store encodes again. Returns false
  // with `failure` set if the request is refused; else `put` is the store's answer.
  bool PutDecoded(const Channel& channel, const SendMessageRequestHeader& header,
                  const Target& target, std::string_view encoded, std::string_view body,
                  int32_t sys_flag, absl::StatusOr<PutMessageResult>* put,
                  RemotingCommand* failure);
  RemotingCommand TransactionsForbidden() const;
  RemotingCommand SendBatch(const Channel& channel, const RemotingCommand& request,
                            const SendMessageRequestHeader& header);

  const BrokerContext& ctx_;
};

// The SendMessageRequestHeader of a send request, whichever form it came in
// (typed V1 or V2 header, or ext fields with long or one-letter names).
absl::StatusOr<SendMessageRequestHeader*> DecodeSendHeader(RemotingCommand& request);

// A TypedHeaderDecoder (frame_codec.h) for a broker's TCP server: a send
// request's header decoded straight from the frame's fields into the header
// DecodeSendHeader would make of its ext_fields. nullptr for other codes and
// for fields that do not decode (DecodeSendHeader then reports why).
std::unique_ptr<CommandHeader> DecodeSendHeaderFromWire(int32_t code,
                                                         std::span<const WireField> fields);

}  // namespace rmq::internal

#endif  // RMQ_BROKER_SEND_MESSAGE_PROCESSOR_H_
