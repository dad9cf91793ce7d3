// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// EndTransactionProcessor: END_TRANSACTION, a producer's verdict on a half
// message (RocketMQ's EndTransactionProcessor). COMMIT and ROLLBACK go to the
// TransactionalMessageService; NOT_TYPE (the local transaction is still
// unknown) changes nothing: the broker's check asks again later. Producers
// send it oneway, so the answer is only seen by a caller that waits for it.

#ifndef RMQ_BROKER_END_TRANSACTION_PROCESSOR_H_
#define RMQ_BROKER_END_TRANSACTION_PROCESSOR_H_

#include "broker/broker_context.h"
#include "remoting/remoting_command.h"

namespace rmq::internal {

class EndTransactionProcessor {
 public:
  explicit EndTransactionProcessor(const BrokerContext& context) : ctx_(context) {}

  RemotingCommand Process(RemotingCommand& request);

 private:
  const BrokerContext& ctx_;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_END_TRANSACTION_PROCESSOR_H_
