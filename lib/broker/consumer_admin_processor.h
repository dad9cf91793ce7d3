// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumerAdminProcessor: the admin requests about a consumer group's members
// (from RocketMQ's AdminBrokerProcessor and Broker2Client):
// GET_CONSUMER_CONNECTION_LIST, and INVOKE_BROKER_TO_RESET_OFFSET, which
// works out each queue's offset for a time and sends it to every member with
// RESET_CONSUMER_CLIENT_OFFSET. As in RocketMQ the broker's own offset table
// is not changed here: the members reset their offsets and commit them; for
// a group with no member online the answer is CONSUMER_NOT_ONLINE, and the
// admin tool commits the offsets itself (UPDATE_CONSUMER_OFFSET).

#ifndef RMQ_BROKER_CONSUMER_ADMIN_PROCESSOR_H_
#define RMQ_BROKER_CONSUMER_ADMIN_PROCESSOR_H_

#include "broker/broker_context.h"
#include "remoting/remoting_command.h"

namespace rmq::internal {

class ConsumerAdminProcessor {
 public:
  explicit ConsumerAdminProcessor(const BrokerContext& context) : ctx_(context) {}

  RemotingCommand GetConsumerConnectionList(RemotingCommand& request);
  RemotingCommand ResetOffset(RemotingCommand& request);

 private:
  const BrokerContext& ctx_;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_CONSUMER_ADMIN_PROCESSOR_H_
