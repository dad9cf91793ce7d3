// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumerManageProcessor: QUERY_CONSUMER_OFFSET, UPDATE_CONSUMER_OFFSET and
// GET_CONSUMER_LIST_BY_GROUP (RocketMQ's ConsumerManageProcessor).
//
// A group with no committed offset for a queue gets QUERY_NOT_FOUND, and its
// client then starts where its ConsumeFromWhere says, except (as in 4.9) when
// the queue still begins at offset 0 and its first message is recent enough
// to be in memory: then the answer is offset 0, so that a new group reads a
// young topic from its start.

#ifndef RMQ_BROKER_CONSUMER_MANAGE_PROCESSOR_H_
#define RMQ_BROKER_CONSUMER_MANAGE_PROCESSOR_H_

#include "broker/broker_context.h"
#include "remoting/remoting_command.h"
#include "remoting/transport.h"

namespace rmq::internal {

class ConsumerManageProcessor {
 public:
  explicit ConsumerManageProcessor(const BrokerContext& context) : ctx_(context) {}

  RemotingCommand QueryConsumerOffset(RemotingCommand& request);
  RemotingCommand UpdateConsumerOffset(const Channel& channel, RemotingCommand& request);
  RemotingCommand GetConsumerListByGroup(RemotingCommand& request);

 private:
  // DefaultMessageStore.checkInDiskByConsumeOffset(topic, queue, 0): whether
  // the queue's first message lies further behind the commit log's end than
  // 40% of physical memory (accessMessageInMemoryMaxRatio).
  bool FirstMessageOnlyOnDisk(std::string_view topic, int32_t queue_id);

  const BrokerContext& ctx_;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_CONSUMER_MANAGE_PROCESSOR_H_
