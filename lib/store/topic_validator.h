// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#ifndef RMQ_STORE_TOPIC_VALIDATOR_H_
#define RMQ_STORE_TOPIC_VALIDATOR_H_

#include <string_view>

#include "absl/status/status.h"

namespace rmq::internal {

// RocketMQ's topic rules (TopicValidator): 1..max_length characters from
// [%|a-zA-Z0-9_-]. InvalidArgument naming the topic and the rule otherwise.
absl::Status ValidateTopic(std::string_view topic, int max_length);

}  // namespace rmq::internal

#endif  // RMQ_STORE_TOPIC_VALIDATOR_H_
