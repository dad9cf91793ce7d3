// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// What the push and the pull consumer share: their heartbeat entry, where a
// newly assigned queue starts (ConsumeFromWhere), and config range checks.

#ifndef RMQ_CLIENT_CONSUMER_COMMON_H_
#define RMQ_CLIENT_CONSUMER_COMMON_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "client/offset_store.h"
#include "client/rebalance_impl.h"
#include "remoting/protocol_bodies.h"
#include "rmq/consumer.h"

namespace rmq::internal {

class ClientInstance;

// "CONSUME_FROM_LAST_OFFSET", … as RocketMQ names them in heartbeats.
std::string_view ConsumeFromWhereName(ConsumeFromWhere where);

// InvalidArgument "NAME is V; it must be within [MIN, MAX]" outside the range.
absl::Status CheckRange(std::string_view name, int64_t value, int64_t min, int64_t max);

// A consumer's heartbeat entry; `consume_type` is CONSUME_PASSIVELY (push) or
// CONSUME_ACTIVELY (pull). `rebalance` may be null (not started).
ConsumerData MakeConsumerData(const std::string& group, std::string_view consume_type,
                              MessageModel model, ConsumeFromWhere where,
                              const RebalanceImpl* rebalance);
std::vector<std::string> SubscribedTopicsOf(const RebalanceImpl* rebalance);

// Where consumption of a newly assigned `queue` starts (RocketMQ's
// computePullFromWhere): the group's committed offset, else per `where`.
absl::StatusOr<int64_t> ComputeStartOffset(ClientInstance& instance, OffsetStore& offsets,
                                           const std::string& group, ConsumeFromWhere where,
                                           const std::string& consume_timestamp,
                                           const MessageQueue& queue);

// RocketMQ's checkClientInBroker: asks a broker of each subscription's topic
// (CHECK_CLIENT_CONFIG) whether it can serve that non-TAG subscription. A
// topic with no known broker is skipped, as in RocketMQ. Errors name the
// group, topic and broker: the broker's refusal (FailedPrecondition for
// SYSTEM_ERROR, "does not support ... SQL92"; InvalidArgument for
// SUBSCRIPTION_PARSE_FAILED; else as ResponseToStatus), or the transport's.
absl::Status CheckClientInBroker(ClientInstance& instance, std::string_view group,
                                 const std::vector<SubscriptionData>& subscriptions);

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_CONSUMER_COMMON_H_
