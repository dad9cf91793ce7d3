// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumerAdminProcessor: the admin requests about a consumer group's members
// (from RocketMQ's AdminBrokerProcessor and Broker2Client):
// GET_CONSUMER_CONNECTION_LIST; GET_CONSUMER_RUNNING_INFO, which the broker
// passes on to that consumer over its connection, answering with the
// consumer's answer; and INVOKE_BROKER_TO_RESET_OFFSET, which
// works out each queue's offset for a time and sends it to every member with
// RESET_CONSUMER_CLIENT_OFFSET. As in RocketMQ the broker's own offset table
// is not changed here: the members reset their offsets and commit them; for
// a group with no member online the answer is CONSUMER_NOT_ONLINE, and the
// admin tool commits the offsets itself (UPDATE_CONSUMER_OFFSET).

#ifndef RMQ_BROKER_CONSUMER_ADMIN_PROCESSOR_H_
#define RMQ_BROKER_CONSUMER_ADMIN_PROCESSOR_H_

#include "broker/broker_context.h"
#include "remoting/remoting_command.h"
#include "remoting/transport.h"

namespace rmq::internal {

class ConsumerAdminProcessor {
 public:
  explicit ConsumerAdminProcessor(const BrokerContext& context) : ctx_(context) {}

  RemotingCommand GetConsumerConnectionList(RemotingCommand& request);
  RemotingCommand ResetOffset(RemotingCommand& request);
  // Answers through `responder` when the consumer does (or in 5 s).
  void GetConsumerRunningInfo(RemotingCommand& request, Responder responder);

 private:
  const BrokerContext& ctx_;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_CONSUMER_ADMIN_PROCESSOR_H_
