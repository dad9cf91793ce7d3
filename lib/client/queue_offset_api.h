// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Queue offset questions a client asks a queue's broker (RocketMQ's
// MQAdminImpl maxOffset / minOffset / searchOffset).

#ifndef RMQ_CLIENT_QUEUE_OFFSET_API_H_
#define RMQ_CLIENT_QUEUE_OFFSET_API_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "rmq/message_queue.h"

namespace rmq::internal {

class ClientInstance;

// One past the last message of `queue` (GET_MAX_OFFSET).
absl::StatusOr<int64_t> QueryMaxOffset(ClientInstance& instance, const MessageQueue& queue);
// The oldest offset still stored (GET_MIN_OFFSET).
absl::StatusOr<int64_t> QueryMinOffset(ClientInstance& instance, const MessageQueue& queue);
// The first offset stored at or after `timestamp_ms` (SEARCH_OFFSET_BY_TIMESTAMP).
absl::StatusOr<int64_t> SearchOffset(ClientInstance& instance, const MessageQueue& queue,
                                     int64_t timestamp_ms);

// Parses RocketMQ's consumeTimestamp "yyyyMMddHHmmss" (UTC) to ms since the epoch.
absl::StatusOr<int64_t> ParseConsumeTimestamp(std::string_view text);

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_QUEUE_OFFSET_API_H_
