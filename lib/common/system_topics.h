// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RocketMQ's fixed topic names (TopicValidator, MixAll), shared by the store,
// the broker and the client.

#ifndef RMQ_COMMON_SYSTEM_TOPICS_H_
#define RMQ_COMMON_SYSTEM_TOPICS_H_

#include <string_view>

namespace rmq::internal {

inline constexpr std::string_view kAutoCreateTopicKeyTopic = "TBW102";
inline constexpr std::string_view kBenchmarkTopic = "BenchmarkTest";
// TopicValidator.RMQ_SYS_SCHEDULE_TOPIC: delayed messages wait here.
inline constexpr std::string_view kScheduleTopic = "SCHEDULE_TOPIC_XXXX";
inline constexpr std::string_view kTransHalfTopic = "RMQ_SYS_TRANS_HALF_TOPIC";
inline constexpr std::string_view kTransOpHalfTopic = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
inline constexpr std::string_view kTransCheckMaxTimeTopic = "TRANS_CHECK_MAX_TIME_TOPIC";
inline constexpr std::string_view kTraceTopic = "RMQ_SYS_TRACE_TOPIC";
inline constexpr std::string_view kSelfTestTopic = "SELF_TEST_TOPIC";
inline constexpr std::string_view kOffsetMovedEventTopic = "OFFSET_MOVED_EVENT";
inline constexpr std::string_view kRetryGroupTopicPrefix = "%RETRY%";
inline constexpr std::string_view kDlqGroupTopicPrefix = "%DLQ%";

// TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET: system topics only the broker
// writes; a producer's send to one is refused (by the client, and again by
// the broker for clients that do not check).
inline bool IsNotAllowedSendTopic(std::string_view topic) {
  return topic == kScheduleTopic || topic == kTransHalfTopic || topic == kTransOpHalfTopic ||
         topic == kTransCheckMaxTimeTopic || topic == kSelfTestTopic ||
         topic == kOffsetMovedEventTopic;
}

}  // namespace rmq::internal

#endif  // RMQ_COMMON_SYSTEM_TOPICS_H_
