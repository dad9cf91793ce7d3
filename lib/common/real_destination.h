// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// A message parked under a system topic until it may be delivered (a delayed
// message in SCHEDULE_TOPIC_XXXX, a transaction's half message in
// RMQ_SYS_TRANS_HALF_TOPIC) keeps its real destination in the REAL_TOPIC and
// REAL_QID properties, as in RocketMQ. These two functions are the only
// places that write and read that pair.

#ifndef RMQ_COMMON_REAL_DESTINATION_H_
#define RMQ_COMMON_REAL_DESTINATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/numbers.h"
#include "common/str_cat.h"
#include "rmq/message.h"

namespace rmq::internal {

// Records msg's topic and queue in REAL_TOPIC / REAL_QID, then moves it to
// `parking_topic` / `parking_queue`.
inline void ParkMessage(MessageExt& msg, std::string_view parking_topic, int32_t parking_queue) {
  msg.PutProperty(property::kRealTopic, msg.topic());
  msg.PutProperty(property::kRealQueueId, std::to_string(msg.queue_id));
  msg.set_topic(std::string(parking_topic));
  msg.queue_id = parking_queue;
}

// Moves a parked message back to its REAL_TOPIC / REAL_QID (the properties
// stay). False, with `msg` unchanged, if they are missing or malformed.
inline bool UnparkMessage(MessageExt& msg) {
  const std::string_view real_topic = msg.GetProperty(property::kRealTopic);
  int32_t real_queue_id = 0;
  if (real_topic.empty() ||
      !absl::SimpleAtoi(AbslView(msg.GetProperty(property::kRealQueueId)), &real_queue_id)) {
    return false;
  }
  msg.set_topic(std::string(real_topic));
  msg.queue_id = real_queue_id;
  return true;
}

}  // namespace rmq::internal

#endif  // RMQ_COMMON_REAL_DESTINATION_H_
