// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PULL_MESSAGE from the client's side (RocketMQ's PullAPIWrapper): building
// the request, and turning the response into a PullResult: status, next
// offset, and the records decoded into messages, re-filtered by tag on the
// client (the broker filters by tag hash code only), bodies decompressed.

#ifndef RMQ_CLIENT_PULL_API_H_
#define RMQ_CLIENT_PULL_API_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "remoting/protocol_bodies.h"
#include "remoting/remoting_command.h"
#include "rmq/consumer.h"
#include "rmq/message_queue.h"

namespace rmq::internal {

// How long the broker may hold a push consumer's pull (BROKER_SUSPEND_MAX_TIME_MILLIS),
// and the client's timeout for such a pull (CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND).
inline constexpr int64_t kBrokerSuspendMaxTimeMillis = 15000;
inline constexpr int64_t kConsumerTimeoutMillisWhenSuspend = 30000;

struct PullRequestArgs {
  std::string group;
  MessageQueue queue;
  // Its subVersion and expressionType go with the request; its expression
  // only when sys_flag has pull_sysflag::kSubscription.
  const SubscriptionData* subscription = nullptr;
  int64_t offset = 0;
  int32_t max_nums = 32;
  int32_t sys_flag = 0;           // pull_sysflag:: bits
  int64_t commit_offset = 0;
  int64_t suspend_timeout_millis = 0;
};

RemotingCommand BuildPullRequest(const PullRequestArgs& args);

// Interprets a PULL_MESSAGE response. Errors: the broker's error response, or
// DataLoss for a corrupt record in the body. The messages are decoded into
// `reuse` (messages of an earlier pull, consumed: their strings keep their
// capacity, so decoding allocates little); whatever it held is replaced.
absl::StatusOr<PullResult> ProcessPullResponse(const RemotingCommand& response,
                                               const MessageQueue& queue,
                                               const SubscriptionData& subscription,
                                               std::vector<MessageExt> reuse = {});

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_PULL_API_H_
