// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// QueryMessageProcessor: VIEW_MESSAGE_BY_ID (one message by commit log
// offset) and QUERY_MESSAGE (messages of a topic by key or UNIQ_KEY in a time
// range), RocketMQ's QueryMessageProcessor. Both answer with stored records,
// back to back, as a pull does.

#ifndef RMQ_BROKER_QUERY_MESSAGE_PROCESSOR_H_
#define RMQ_BROKER_QUERY_MESSAGE_PROCESSOR_H_

#include <string>

#include "broker/broker_context.h"
#include "remoting/remoting_command.h"

namespace rmq::internal {

class QueryMessageProcessor {
 public:
  explicit QueryMessageProcessor(const BrokerContext& context) : ctx_(context) {}

  RemotingCommand ViewMessageById(RemotingCommand& request);
  RemotingCommand QueryMessage(RemotingCommand& request);

 private:
  const BrokerContext& ctx_;
};

// The commit log record of a stored message (as the store wrote it).
std::string EncodeStoredRecord(const MessageExt& msg);

}  // namespace rmq::internal

#endif  // RMQ_BROKER_QUERY_MESSAGE_PROCESSOR_H_
