// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// AdminProcessor: the admin and offset-lookup requests of RocketMQ's
// AdminBrokerProcessor that rmq serves: GET_MAX_OFFSET, GET_MIN_OFFSET,
// SEARCH_OFFSET_BY_TIMESTAMP, GET_EARLIEST_MSG_STORETIME,
// UPDATE_AND_CREATE_TOPIC, DELETE_TOPIC_IN_BROKER, GET_ALL_TOPIC_CONFIG,
// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
// DELETE_SUBSCRIPTIONGROUP.

#ifndef RMQ_BROKER_ADMIN_PROCESSOR_H_
#define RMQ_BROKER_ADMIN_PROCESSOR_H_

#include <cstdint>

#include "absl/status/status.h"
#include "broker/broker_context.h"
#include "remoting/remoting_command.h"

namespace rmq::internal {

class AdminProcessor {
 public:
  explicit AdminProcessor(const BrokerContext& context) : ctx_(context) {}

  // Answers one of the codes above.
  RemotingCommand Process(RemotingCommand& request);

  // Creates or updates a topic as UPDATE_AND_CREATE_TOPIC does (name and
  // system-topic checks included); also Broker::CreateTopic.
  absl::Status CreateTopic(const TopicConfig& config);

 private:
  RemotingCommand GetMaxOffset(RemotingCommand& request);
  RemotingCommand GetMinOffset(RemotingCommand& request);
  RemotingCommand SearchOffsetByTimestamp(RemotingCommand& request);
  RemotingCommand GetEarliestMsgStoretime(RemotingCommand& request);
  RemotingCommand UpdateAndCreateTopic(RemotingCommand& request);
  RemotingCommand DeleteTopic(RemotingCommand& request);
  RemotingCommand GetAllTopicConfig();
  // GET_ALL_CONSUMER_OFFSET, GET_ALL_DELAY_OFFSET: what a slave copies.
  RemotingCommand GetAllConsumerOffset();
  RemotingCommand GetAllDelayOffset();
  RemotingCommand UpdateAndCreateSubscriptionGroup(RemotingCommand& request);
  RemotingCommand GetAllSubscriptionGroupConfig();
  RemotingCommand DeleteSubscriptionGroup(RemotingCommand& request);

  const BrokerContext& ctx_;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_ADMIN_PROCESSOR_H_
