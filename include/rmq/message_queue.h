// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// MessageQueue: one queue of a topic on one broker, RocketMQ's unit of
// ordering, load balancing and consume progress.

#ifndef RMQ_MESSAGE_QUEUE_H_
#define RMQ_MESSAGE_QUEUE_H_

#include <compare>
#include <cstdint>
#include <string>
#include <utility>

namespace rmq {

struct MessageQueue {
  std::string topic;
  std::string broker_name;
  int32_t queue_id = 0;

  MessageQueue() = default;
  MessageQueue(std::string topic, std::string broker_name, int32_t queue_id)
      : topic(std::move(topic)), broker_name(std::move(broker_name)), queue_id(queue_id) {}

  // "MessageQueue [topic=T, brokerName=B, queueId=N]", as RocketMQ prints it
  // (and as its consistent-hash allocation hashes it).
  std::string ToString() const;

  // Ordered by topic, then broker name, then queue id (RocketMQ's compareTo).
  friend auto operator<=>(const MessageQueue&, const MessageQueue&) = default;
  friend bool operator==(const MessageQueue&, const MessageQueue&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const MessageQueue& mq) {
    return H::combine(std::move(h), mq.topic, mq.broker_name, mq.queue_id);
  }
};

}  // namespace rmq

#endif  // RMQ_MESSAGE_QUEUE_H_
