// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// What a producer checks before anything goes to the network (RocketMQ's
// Validators and DefaultMQProducerImpl.checkConfig).

#ifndef RMQ_CLIENT_SEND_VALIDATORS_H_
#define RMQ_CLIENT_SEND_VALIDATORS_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "common/system_topics.h"  // IsNotAllowedSendTopic
#include "rmq/message.h"
#include "rmq/producer.h"

namespace rmq::internal {

// MixAll.RETRY_GROUP_TOPIC_PREFIX.
inline constexpr std::string_view kRetryTopicPrefix = "%RETRY%";
// MixAll.DEFAULT_PRODUCER_GROUP: reserved, a producer must name its own group.
inline constexpr std::string_view kDefaultProducerGroup = "DEFAULT_PRODUCER";
// Validators.TOPIC_MAX_LENGTH and CHARACTER_MAX_LENGTH.
inline constexpr int kClientTopicMaxLength = 127;
inline constexpr size_t kGroupMaxLength = 255;

// Validators.checkGroup: 1..255 characters from [%|a-zA-Z0-9_-].
absl::Status CheckGroup(std::string_view group);

// Validators.checkMessage: a valid topic a producer may send to, a body of
// 1..max_message_size bytes; also properties that encode cleanly (no
// separator characters).
absl::Status CheckMessage(const Message& msg, int32_t max_message_size);

// DefaultMQProducerImpl.checkConfig plus the settings RocketMQ trusts:
// group name, name server, timeouts and sizes.
absl::Status CheckProducerConfig(const ProducerConfig& config);

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_SEND_VALIDATORS_H_
