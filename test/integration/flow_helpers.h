// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Helpers shared by the producer-flow and bad-input integration tests, on top
// of test/support/messaging.h: start clients against a ClusterUnderTest, look
// into its brokers' stores through the public Broker API, and read messages
// back with push or pull consumers.

#ifndef RMQ_TEST_INTEGRATION_FLOW_HELPERS_H_
#define RMQ_TEST_INTEGRATION_FLOW_HELPERS_H_

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "test/support/messaging.h"

namespace rmq::testing {

// Every kind of cluster, for GENERATE.
#define RMQ_ANY_CLUSTER_KIND GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp)

// Runs the block that follows once on a FakeCluster and once on an
// EmbeddedCluster, each in a section named after the kind (so a failure says
// which):
//   FOR_EACH_CLUSTER_KIND(kind) { auto cluster = StartCluster(kind); … }
#define FOR_EACH_CLUSTER_KIND(kind)              \
  const ClusterKind kind = RMQ_ANY_CLUSTER_KIND; \
  DYNAMIC_SECTION(ClusterKindName(kind))

inline std::unique_ptr<ClusterUnderTest> StartCluster(ClusterKind kind, int fake_brokers = 1,
                                                      bool auto_create_topic_enable = true,
                                                      bool enable_property_filter = false) {
  absl::Status status;
  auto cluster = ClusterUnderTest::Start(kind, fake_brokers, &status, auto_create_topic_enable,
                                         enable_property_filter);
  INFO(status.ToString());
  REQUIRE(cluster != nullptr);
  return cluster;
}

inline void CreateTopic(ClusterUnderTest& cluster, std::string_view topic, int32_t queues = 4) {
  absl::Status status = cluster.CreateTopic(topic, queues);
  INFO(status.ToString());
  REQUIRE(status.ok());
}

using ProducerTweak = std::function<void(ProducerConfig&)>;

inline std::unique_ptr<Producer> StartProducer(ClusterUnderTest& cluster, std::string group,
                                               const ProducerTweak& tweak = {}) {
  ProducerConfig config = cluster.NewProducerConfig(std::move(group));
  if (tweak) tweak(config);
  auto producer = std::make_unique<Producer>(config);
  absl::Status started = producer->Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  return producer;
}

// The brokers of the cluster that are running now, by broker name.
inline std::vector<Broker*> RunningBrokers(ClusterUnderTest& cluster) {
  if (cluster.fake() == nullptr) return {&cluster.embedded()->broker()};
  std::vector<Broker*> brokers;
  for (int i = 0; i < cluster.broker_count(); ++i) brokers.push_back(&cluster.fake()->broker(i));
  return brokers;
}

inline Broker& BrokerNamed(ClusterUnderTest& cluster, std::string_view broker_name) {
  for (Broker* broker : RunningBrokers(cluster)) {
    if (broker->config().broker_name == broker_name) return *broker;
  }
  FAIL("no running broker named " << broker_name);
  throw std::logic_error("unreachable");
}

// Commit log bytes written on every broker: unchanged means nothing was stored.
inline int64_t StoredBytes(ClusterUnderTest& cluster) {
  int64_t total = 0;
  for (Broker* broker : RunningBrokers(cluster)) total += broker->store()->Stats().max_phy_offset;
  return total;
}

// Waits (real time, as a guard against hanging only) until `done` holds. On a
// FakeCluster virtual time moves on meanwhile, so that client retries and
// periodic work scheduled on the VirtualClock get to run.
inline bool WaitUntil(ClusterUnderTest& cluster, const std::function<bool()>& done,
                      absl::Duration guard = absl::Seconds(30)) {
  const absl::Time deadline = absl::Now() + guard;
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    if (cluster.fake() != nullptr) cluster.fake()->Advance(absl::Milliseconds(500));
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

// A message a push consumer received, with the queue it came from.
struct Delivery {
  MessageQueue queue;
  MessageExt message;
};

// Records every delivery of a push consumer's listener.
class DeliveryLog {
 public:
  MessageListenerConcurrently Listener() {
    return [this](std::span<const MessageExt> msgs, ConsumeConcurrentlyContext& context) {
      absl::MutexLock lock(&mu_);
      for (const MessageExt& m : msgs) deliveries_.push_back({context.message_queue, m});
      return ConsumeConcurrentlyStatus::kConsumeSuccess;
    };
  }
  size_t size() {
    absl::MutexLock lock(&mu_);
    return deliveries_.size();
  }
  std::vector<Delivery> deliveries() {
    absl::MutexLock lock(&mu_);
    return deliveries_;
  }

 private:
  absl::Mutex mu_;
  std::vector<Delivery> deliveries_ ABSL_GUARDED_BY(mu_);
};

// A started push consumer with `config`, subscribed to `topic` ("*"), with
// `listener` (MessageListenerConcurrently or MessageListenerOrderly).
template <typename Listener>
std::unique_ptr<PushConsumer> StartConsumer(const PushConsumerConfig& config,
                                            std::string_view topic, Listener listener) {
  auto consumer = std::make_unique<PushConsumer>(config);
  REQUIRE(consumer->Subscribe(topic, "*").ok());
  consumer->RegisterMessageListener(std::move(listener));
  absl::Status started = consumer->Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  return consumer;
}

// A started push consumer of `topic` ("*") from the first offset.
inline std::unique_ptr<PushConsumer> StartPushConsumer(ClusterUnderTest& cluster, std::string group,
                                                       std::string_view topic,
                                                       MessageListenerConcurrently listener) {
  PushConsumerConfig config = cluster.NewPushConsumerConfig(std::move(group));
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  return StartConsumer(config, topic, std::move(listener));
}

// Everything a push consumer of a new group reads from `topic`, once at least
// `count` messages arrived.
inline std::vector<Delivery> ConsumeAll(ClusterUnderTest& cluster, std::string_view topic,
                                        size_t count) {
  DeliveryLog log;
  auto consumer = StartPushConsumer(cluster, std::string(topic) + "_Reader", topic, log.Listener());
  const bool arrived = WaitUntil(cluster, [&] { return log.size() >= count; });
  INFO("expected " << count << " messages, got " << log.size());
  CHECK(arrived);
  consumer->Shutdown();
  return log.deliveries();
}

inline std::unique_ptr<PullConsumer> StartPullConsumer(ClusterUnderTest& cluster, std::string group) {
  auto consumer = std::make_unique<PullConsumer>(cluster.NewPullConsumerConfig(std::move(group)));
  absl::Status started = consumer->Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  return consumer;
}

// The messages of `queue` from `offset` on, in queue order, until `count` were
// read (or a guard of real time passed: the store indexes messages in the
// background, so the last ones may need a moment to become readable).
inline std::vector<MessageExt> ReadQueue(PullConsumer& consumer, const MessageQueue& queue,
                                         int64_t offset, size_t count) {
  std::vector<MessageExt> out;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (out.size() < count && absl::Now() < deadline) {
    auto pulled = consumer.Pull(queue, "*", offset, 32);
    INFO(queue.ToString() << " at " << offset << ": " << pulled.status().ToString());
    REQUIRE(pulled.ok());
    if (pulled->pull_status != PullStatus::kFound) {
      absl::SleepFor(absl::Milliseconds(10));
      continue;
    }
    for (MessageExt& m : pulled->msgs) out.push_back(std::move(m));
    offset = pulled->next_begin_offset;
  }
  return out;
}

}  // namespace rmq::testing

#endif  // RMQ_TEST_INTEGRATION_FLOW_HELPERS_H_
