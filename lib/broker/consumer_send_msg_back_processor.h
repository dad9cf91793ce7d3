// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumerSendMsgBackProcessor: CONSUMER_SEND_MSG_BACK (RocketMQ 4.9's
// SendMessageProcessor.asyncConsumerSendMsgBack). A consumer whose listener
// failed hands the message back by its commit log offset; the broker copies
// the stored message into %RETRY%<group> with a DELAY level (the store holds
// it in SCHEDULE_TOPIC_XXXX until due), or into %DLQ%<group> once the group's
// (or the request's) maxReconsumeTimes is reached or the consumer asks for
// the DLQ (delayLevel < 0). The copy counts one more reconsume, remembers the
// first topic (RETRY_TOPIC) and the first msgId (ORIGIN_MESSAGE_ID), so that
// however often a message comes back it is still traced to its origin.
//
// Sending back by offset, rather than the consumer sending the message again,
// saves shipping the body back; the broker reads it from its own store.

#ifndef RMQ_BROKER_CONSUMER_SEND_MSG_BACK_PROCESSOR_H_
#define RMQ_BROKER_CONSUMER_SEND_MSG_BACK_PROCESSOR_H_

#include "broker/broker_context.h"
#include "remoting/remoting_command.h"

namespace rmq::internal {

class ConsumerSendMsgBackProcessor {
 public:
  explicit ConsumerSendMsgBackProcessor(const BrokerContext& context) : ctx_(context) {}

  RemotingCommand Process(RemotingCommand& request);

 private:
  const BrokerContext& ctx_;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_CONSUMER_SEND_MSG_BACK_PROCESSOR_H_
