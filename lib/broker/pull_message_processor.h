// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PullMessageProcessor: PULL_MESSAGE (RocketMQ 4.9's PullMessageProcessor).
// Checks the group and topic, finds the subscription (in the request or from
// the group's heartbeats), reads from the store with its filter (by tag hash
// code, or SQL92 over each record's properties: expression_message_filter.h)
// and maps the store's status to RocketMQ's pull response codes:
//
//   FOUND                                   SUCCESS, body = the stored records
//   NO_MATCHED_MESSAGE, MESSAGE_WAS_REMOVING PULL_RETRY_IMMEDIATELY
//   NO_MESSAGE_IN_QUEUE, NO_MATCHED_LOGIC_QUEUE
//                                           PULL_OFFSET_MOVED if the offset asked
//                                           for was not 0, else PULL_NOT_FOUND
//   OFFSET_FOUND_NULL, OFFSET_OVERFLOW_ONE  PULL_NOT_FOUND
//   OFFSET_OVERFLOW_BADLY, OFFSET_TOO_SMALL PULL_OFFSET_MOVED
//
// with the store's nextBeginOffset, minOffset and maxOffset in the header. A
// PULL_OFFSET_MOVED also records an OffsetMovedEvent in OFFSET_MOVED_EVENT.
// A PULL_NOT_FOUND with the suspend flag is held (PullRequestHoldService) and
// answered when a message arrives or at its timeout. The found records go out
// without a copy: the response body borrows them from the store.
//
// A SQL92 subscription needs enablePropertyFilter (else SYSTEM_ERROR, as
// RocketMQ answers); its compiled expression comes from the
// ConsumerFilterManager, compiled once per subscription version; one that
// does not compile gets SUBSCRIPTION_PARSE_FAILED with the compiler's
// message. (RocketMQ answers FILTER_DATA_NOT_EXIST when a heartbeat's
// expression did not compile; here the pull compiles it, and says why not.)

#ifndef RMQ_BROKER_PULL_MESSAGE_PROCESSOR_H_
#define RMQ_BROKER_PULL_MESSAGE_PROCESSOR_H_

#include <memory>

#include "broker/broker_context.h"
#include "broker/pull_request_hold_service.h"
#include "remoting/protocol_headers.h"
#include "remoting/remoting_command.h"
#include "remoting/transport.h"

namespace rmq::internal {

class PullMessageProcessor {
 public:
  explicit PullMessageProcessor(const BrokerContext& context) : ctx_(context) {}

  // Where held pulls go (set at Start, cleared at Shutdown).
  void set_hold_service(std::shared_ptr<PullRequestHoldService> holds) { holds_ = std::move(holds); }

  // Answers `request` through `responder`, now or (held) later. A pull run
  // again after being held has `allow_suspend` false: it is answered, and
  // does not commit its offset a second time.
  void Process(std::shared_ptr<Channel> channel, RemotingCommand request, Responder responder,
               bool allow_suspend);

 private:
  struct Outcome;
  Outcome Run(const Channel& channel, RemotingCommand& request, bool allow_suspend);
  void RecordOffsetMoved(const PullMessageRequestHeader& header, int64_t offset_new);

  const BrokerContext& ctx_;
  std::shared_ptr<PullRequestHoldService> holds_;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_PULL_MESSAGE_PROCESSOR_H_
