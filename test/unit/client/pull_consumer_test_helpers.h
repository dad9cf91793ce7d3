// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Helpers for the PullConsumer tests: a FakeCluster with a topic, a producer
// that puts messages into chosen queues, started consumers, and waiting for
// background work with real time only as a failure guard.

#ifndef RMQ_TEST_UNIT_CLIENT_PULL_CONSUMER_TEST_HELPERS_H_
#define RMQ_TEST_UNIT_CLIENT_PULL_CONSUMER_TEST_HELPERS_H_

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "rmq/testing.h"

namespace rmq::pull_test {

// How long a test waits for something that should happen at once before
// failing (real time; never reached when the code works).
inline constexpr absl::Duration kGuard = absl::Seconds(20);

inline std::unique_ptr<testing::FakeCluster> NewCluster(int brokers, const std::string& topic,
                                                        int32_t queues_per_broker) {
  // Not a designated initializer: g++ -Wextra flags the members left out.
  testing::FakeClusterOptions options;
  options.broker_count = brokers;
  auto cluster = testing::FakeCluster::Create(options);
  INFO(cluster.status().ToString());
  REQUIRE(cluster.ok());
  if (!topic.empty()) {
    absl::Status created = (*cluster)->CreateTopic(topic, queues_per_broker);
    INFO(created.ToString());
    REQUIRE(created.ok());
  }
  return std::move(*cluster);
}

inline std::unique_ptr<Producer> StartProducer(testing::FakeCluster& cluster,
                                               const std::string& group = "PullTestProducer") {
  auto producer = std::make_unique<Producer>(cluster.NewProducerConfig(group));
  absl::Status started = producer->Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  return producer;
}

inline std::unique_ptr<PullConsumer> StartConsumer(PullConsumerConfig config) {
  auto consumer = std::make_unique<PullConsumer>(std::move(config));
  absl::Status started = consumer->Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  return consumer;
}

// Sends a message with `tags` and `body` into `queue` and waits until its
// broker has dispatched it to the consume queue (pulls read from there);
// returns its queue offset.
inline int64_t SendTo(testing::FakeCluster& cluster, Producer& producer, const MessageQueue& queue,
                      const std::string& tags, const std::string& body) {
  auto sent = producer.Send(Message(queue.topic, tags, body), queue);
  INFO(sent.status().ToString());
  REQUIRE(sent.ok());
  REQUIRE(sent->send_status == SendStatus::kSendOk);
  for (int i = 0; i < cluster.broker_count(); ++i) {
    if (cluster.broker_name(i) == queue.broker_name) cluster.broker(i).store()->WaitForDispatch();
  }
  return sent->queue_offset;
}

inline std::vector<std::string> Bodies(const std::vector<MessageExt>& msgs) {
  std::vector<std::string> bodies;
  for (const MessageExt& m : msgs) bodies.push_back(m.body());
  return bodies;
}

// Waits until `pred` holds; another thread brings it about. Fails after kGuard.
template <typename Pred>
bool WaitUntil(Pred pred) {
  const absl::Time deadline = absl::Now() + kGuard;
  while (!pred()) {
    if (absl::Now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// Polls `consumers` in turn until `want` messages arrived in all (or kGuard
// passes); returns body → how many times it was delivered, and who got it.
struct Delivered {
  std::map<std::string, int> count;
  std::map<std::string, size_t> member;
  size_t total = 0;
};

inline Delivered PollUntil(const std::vector<PullConsumer*>& consumers, size_t want) {
  Delivered out;
  const absl::Time deadline = absl::Now() + kGuard;
  while (out.total < want && absl::Now() < deadline) {
    for (size_t i = 0; i < consumers.size(); ++i) {
      auto msgs = consumers[i]->Poll(absl::Milliseconds(20));
      INFO(msgs.status().ToString());
      REQUIRE(msgs.ok());
      for (const MessageExt& m : *msgs) {
        ++out.count[m.body()];
        out.member[m.body()] = i;
        ++out.total;
      }
    }
  }
  return out;
}

}  // namespace rmq::pull_test

#endif  // RMQ_TEST_UNIT_CLIENT_PULL_CONSUMER_TEST_HELPERS_H_
