// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// What a producer knows about a topic's queues (RocketMQ's TopicPublishInfo
// and the route → queue conversions of MQClientInstance).

#ifndef RMQ_CLIENT_TOPIC_PUBLISH_INFO_H_
#define RMQ_CLIENT_TOPIC_PUBLISH_INFO_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "remoting/protocol_bodies.h"
#include "rmq/message_queue.h"

namespace rmq::internal {

// A random starting point for a round-robin index (RocketMQ's
// ThreadLocalIndex): processes started together do not all pick the same
// queue first.
uint32_t RandomIndexStart();

class TopicPublishInfo {
 public:
  // The writable queues of `topic` on brokers whose master is known, sorted by
  // broker name (or as the route's orderTopicConf "broker:n;broker:n" lists them).
  TopicPublishInfo(const std::string& topic, TopicRouteData route);

  bool order_topic() const { return order_topic_; }
  const std::vector<MessageQueue>& queues() const { return queues_; }
  const TopicRouteData& route() const { return route_; }
  bool ok() const { return !queues_.empty(); }

  // The next queue round-robin; if `last_broker` is not empty, the next one
  // on another broker when there is one (a retry avoids the broker that failed).
  const MessageQueue& SelectOneMessageQueue(std::string_view last_broker) const;
  // Advances the round-robin index and returns it (for custom selection).
  uint32_t NextIndex() const { return send_which_queue_.fetch_add(1, std::memory_order_relaxed); }

 private:
  bool order_topic_ = false;
  std::vector<MessageQueue> queues_;
  TopicRouteData route_;
  mutable std::atomic<uint32_t> send_which_queue_;
};

// The readable queues of `topic` in `route` (topicRouteData2TopicSubscribeInfo).
std::vector<MessageQueue> SubscribeQueuesFromRoute(const std::string& topic,
                                                   const TopicRouteData& route);

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_TOPIC_PUBLISH_INFO_H_
