// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/queue_lock_processor.h"

#include "broker/processor_util.h"
#include "remoting/protocol_bodies.h"

namespace rmq::internal {

RemotingCommand QueueLockProcessor::LockBatch(const RemotingCommand& request) {
  auto body = FromJson<LockBatchRequestBody>(request.body.ToString(), "LOCK_BATCH_MQ body");
  if (!body.ok()) return Reply(response_code::kSystemError, std::string(body.status().message()));
  LockBatchResponseBody answer;
  answer.lock_ok_mq_set = locks_.TryLockBatch(body->consumer_group, body->mq_set, body->client_id);
  RemotingCommand response = Reply(response_code::kSuccess);
  response.body = Payload(ToJson(answer));
  return response;
}

RemotingCommand QueueLockProcessor::UnlockBatch(const RemotingCommand& request) {
  auto body = FromJson<UnlockBatchRequestBody>(request.body.ToString(), "UNLOCK_BATCH_MQ body");
  if (!body.ok()) return Reply(response_code::kSystemError, std::string(body.status().message()));
  locks_.UnlockBatch(body->consumer_group, body->mq_set, body->client_id);
  return Reply(response_code::kSuccess);
}

}  // namespace rmq::internal
