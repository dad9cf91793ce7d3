// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Subscriptions (RocketMQ's FilterAPI). By tag: "*" or "TagA || TagB"
// becomes a SubscriptionData with the tag set and their hash codes; the
// broker filters by hash code, the client re-checks the tag strings (hash
// codes collide). By SQL92: the expression as given, expressionType SQL92 and
// no tags; the broker evaluates it exactly, so the client checks nothing.

#ifndef RMQ_CLIENT_SUBSCRIPTION_H_
#define RMQ_CLIENT_SUBSCRIPTION_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "common/system_topics.h"
#include "remoting/protocol_bodies.h"
#include "rmq/consumer.h"

namespace rmq::internal {

inline constexpr std::string_view kSubAll = "*";

// Parses a tag expression for `topic`. InvalidArgument for a bad topic name.
// `sub_version` is the time of the subscription (ms), as RocketMQ stamps it.
absl::StatusOr<SubscriptionData> BuildSubscriptionData(std::string_view topic,
                                                       std::string_view expression,
                                                       int64_t sub_version);

// As above for `selector`; a SQL92 expression is compiled here, so that one
// that does not compile is InvalidArgument naming the topic and what is
// wrong where (the broker would refuse it).
absl::StatusOr<SubscriptionData> BuildSubscriptionData(std::string_view topic,
                                                       const MessageSelector& selector,
                                                       int64_t sub_version);

// Whether a message with `tags` passes `sub` on the client side: always for
// "*" and SQL92 subscriptions.
bool MatchesSubscription(const SubscriptionData& sub, std::string_view tags);
// Whether MatchesSubscription looks at the tags at all (false for "*" and
// SQL92): a caller may then skip finding them.
bool ChecksTags(const SubscriptionData& sub);

// "%RETRY%<group>".
std::string RetryTopic(std::string_view group);

// RocketMQ's Validators.checkGroup: not empty, at most 255 characters of
// [%|a-zA-Z0-9_-]. `what` names the setting in the error.
absl::Status ValidateGroupName(std::string_view group, std::string_view what);

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_SUBSCRIPTION_H_
