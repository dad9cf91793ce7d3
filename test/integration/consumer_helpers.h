// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Helpers for the consumer-side integration tests (push_consumer_test,
// consumer_flow_test), on top of flow_helpers.h and test/support/messaging.h:
// push consumers with a chosen config and expression, messages put into
// chosen queues, and waiting for deliveries without moving virtual time.

#ifndef RMQ_TEST_INTEGRATION_CONSUMER_HELPERS_H_
#define RMQ_TEST_INTEGRATION_CONSUMER_HELPERS_H_

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "test/integration/flow_helpers.h"
#include "test/support/messaging.h"

namespace rmq::testing {

// A push consumer of `topic` with `expression`, started with `config`.
inline std::unique_ptr<PushConsumer> StartConsumer(const PushConsumerConfig& config,
                                                   std::string_view topic,
                                                   std::string_view expression,
                                                   MessageListenerConcurrently listener) {
  auto consumer = std::make_unique<PushConsumer>(config);
  absl::Status subscribed = consumer->Subscribe(topic, expression);
  INFO(subscribed.ToString());
  REQUIRE(subscribed.ok());
  consumer->RegisterMessageListener(std::move(listener));
  absl::Status started = consumer->Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  return consumer;
}

// `config` with one consume thread: the listener sees each queue's messages
// in queue order, so once a queue's last message arrived, anything of that
// queue that was going to be delivered before it has been.
inline PushConsumerConfig OneThread(PushConsumerConfig config) {
  config.consume_thread_min = 1;
  config.consume_thread_max = 1;
  return config;
}

inline PushConsumerConfig StartingAt(PushConsumerConfig config, ConsumeFromWhere where) {
  config.consume_from_where = where;
  return config;
}

// Every queue of `topic`: `queues_per_broker` on each broker, sorted.
inline std::vector<MessageQueue> QueuesOf(ClusterUnderTest& cluster, std::string_view topic,
                                          int32_t queues_per_broker) {
  std::vector<MessageQueue> queues;
  for (Broker* broker : RunningBrokers(cluster)) {
    for (int32_t id = 0; id < queues_per_broker; ++id) {
      queues.emplace_back(std::string(topic), broker->config().broker_name, id);
    }
  }
  std::sort(queues.begin(), queues.end());
  return queues;
}

// Sends a message into `queue` and waits until its broker has dispatched it
// to the consume queue (pulls and offset queries read from there); returns
// its queue offset.
inline int64_t SendTo(ClusterUnderTest& cluster, Producer& producer, const MessageQueue& queue,
                      const Message& msg) {
  auto sent = producer.Send(msg, queue);
  INFO(queue.ToString() << ": " << sent.status().ToString());
  REQUIRE(sent.ok());
  REQUIRE(sent->send_status == SendStatus::kSendOk);
  BrokerNamed(cluster, queue.broker_name).store()->WaitForDispatch();
  return sent->queue_offset;
}

inline int64_t SendTo(ClusterUnderTest& cluster, Producer& producer, const MessageQueue& queue,
                      std::string body, std::string tags = "TagA") {
  return SendTo(cluster, producer, queue, Message(queue.topic, std::move(tags), std::move(body)));
}

// Sends `per_queue` messages into each of `queues`, with bodies
// "<label>#<n>@<queue>"; returns the bodies.
inline std::vector<std::string> SendToEach(ClusterUnderTest& cluster, Producer& producer,
                                           const std::vector<MessageQueue>& queues,
                                           std::string_view label, int per_queue = 1) {
  std::vector<std::string> bodies;
  for (int n = 0; n < per_queue; ++n) {
    for (const MessageQueue& queue : queues) {
      bodies.push_back(std::string(label) + "#" + std::to_string(n) + "@" + queue.ToString());
      SendTo(cluster, producer, queue, bodies.back());
    }
  }
  return bodies;
}

// Waits (real time, as a guard against hanging only) until `done` holds,
// without moving virtual time: what happens meanwhile is the clients' and
// brokers' own doing, not a timer's.
inline bool WaitWithoutTimers(const std::function<bool()>& done,
                              absl::Duration guard = absl::Seconds(30)) {
  const absl::Time deadline = absl::Now() + guard;
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

inline bool Contains(const std::vector<std::string>& bodies, std::string_view body) {
  return std::find(bodies.begin(), bodies.end(), body) != bodies.end();
}

// True once `inbox` holds every one of `bodies`.
inline bool ReceivedAll(Inbox& inbox, const std::vector<std::string>& bodies) {
  std::vector<std::string> got = inbox.bodies();
  return std::all_of(bodies.begin(), bodies.end(),
                     [&](const std::string& body) { return Contains(got, body); });
}

// How many times each body arrived.
inline std::map<std::string, int> CountBodies(const std::vector<std::string>& bodies) {
  std::map<std::string, int> counts;
  for (const std::string& body : bodies) ++counts[body];
  return counts;
}

// The cluster's time: virtual on a FakeCluster, the system's otherwise.
inline absl::Time ClusterNow(ClusterUnderTest& cluster) {
  return cluster.fake() != nullptr ? cluster.fake()->clock().Now() : absl::Now();
}

// Lets `d` pass for the cluster's timers: virtual time on a FakeCluster,
// real time on an EmbeddedCluster (whose timers run on the system clock).
inline void LetTimePass(ClusterUnderTest& cluster, absl::Duration d) {
  if (cluster.fake() != nullptr) {
    // In steps, as a running system would see it: each due timer's work
    // (a retried pull, a flow-control check) gets to run before the next.
    for (absl::Duration left = d; left > absl::ZeroDuration(); left -= absl::Milliseconds(50)) {
      cluster.fake()->Advance(std::min(left, absl::Milliseconds(50)));
      absl::SleepFor(absl::Milliseconds(1));
    }
  } else {
    absl::SleepFor(d);
  }
}

// RocketMQ's consumeTimestamp format, yyyyMMddHHmmss (UTC in rmq).
inline std::string ConsumeTimestamp(absl::Time t) {
  return absl::FormatTime("%Y%m%d%H%M%S", t, absl::UTCTimeZone());
}

}  // namespace rmq::testing

#endif  // RMQ_TEST_INTEGRATION_CONSUMER_HELPERS_H_
