// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// QueueLockProcessor: LOCK_BATCH_MQ and UNLOCK_BATCH_MQ (RocketMQ 4.9's
// AdminBrokerProcessor.lockBatchMQ / unlockBatchMQ), the queue locks of
// orderly consumers. A lock request names a group, a client id and a set of
// queues; the answer (LockBatchResponseBody) lists the queues the client
// holds afterwards. An unlock answers SUCCESS with no body. An undecodable
// body is a SYSTEM_ERROR naming it.

#ifndef RMQ_BROKER_QUEUE_LOCK_PROCESSOR_H_
#define RMQ_BROKER_QUEUE_LOCK_PROCESSOR_H_

#include "broker/rebalance_lock_manager.h"
#include "remoting/remoting_command.h"

namespace rmq::internal {

class QueueLockProcessor {
 public:
  explicit QueueLockProcessor(RebalanceLockManager& locks) : locks_(locks) {}

  RemotingCommand LockBatch(const RemotingCommand& request);
  RemotingCommand UnlockBatch(const RemotingCommand& request);

 private:
  RebalanceLockManager& locks_;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_QUEUE_LOCK_PROCESSOR_H_
