// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ClientManageProcessor: HEART_BEAT, UNREGISTER_CLIENT and
// CHECK_CLIENT_CONFIG (RocketMQ's ClientManageProcessor). A heartbeat
// registers the client's producer and consumer groups with their channel;
// for each consumer group it makes sure the group's config and its retry
// topic %RETRY%group exist. CHECK_CLIENT_CONFIG tells a push consumer, before
// it starts, whether this broker can serve its non-TAG subscription: SUCCESS
// for a TAG one or no subscription; SYSTEM_ERROR without enablePropertyFilter;
// SUBSCRIPTION_PARSE_FAILED with the compiler's message for an expression
// that does not compile (as RocketMQ 4.9 answers each).

#ifndef RMQ_BROKER_CLIENT_MANAGE_PROCESSOR_H_
#define RMQ_BROKER_CLIENT_MANAGE_PROCESSOR_H_

#include <memory>

#include "broker/broker_context.h"
#include "remoting/remoting_command.h"
#include "remoting/transport.h"

namespace rmq::internal {

class ClientManageProcessor {
 public:
  explicit ClientManageProcessor(const BrokerContext& context) : ctx_(context) {}

  RemotingCommand HeartBeat(const std::shared_ptr<Channel>& channel, RemotingCommand& request);
  RemotingCommand UnregisterClient(const std::shared_ptr<Channel>& channel,
                                   RemotingCommand& request);
  RemotingCommand CheckClientConfig(RemotingCommand& request);

 private:
  const BrokerContext& ctx_;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_CLIENT_MANAGE_PROCESSOR_H_
