// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Producer → broker → PushConsumer on a FakeCluster: delivery, tag filters,
// clustering and broadcasting, rebalance, offsets across restarts.

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <set>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "rmq/testing.h"

namespace rmq {
namespace {

using testing::FakeCluster;

// Collects what a listener receives; waits (real time, as a failure guard
// only) for a count.
class Inbox {
 public:
  MessageListenerConcurrently Listener() {
    return [this](std::span<const MessageExt> msgs, ConsumeConcurrentlyContext&) {
      absl::MutexLock lock(&mu_);
      for (const MessageExt& m : msgs) bodies_.push_back(m.body()), tags_.push_back(std::string(m.tags()));
      return ConsumeConcurrentlyStatus::kConsumeSuccess;
    };
  }
  bool WaitFor(size_t n, absl::Duration guard = absl::Seconds(20)) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return bodies_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), guard);
  }
  std::vector<std::string> bodies() {
    absl::MutexLock lock(&mu_);
    return bodies_;
  }
  std::vector<std::string> tags() {
    absl::MutexLock lock(&mu_);
    return tags_;
  }
  size_t size() {
    absl::MutexLock lock(&mu_);
    return bodies_.size();
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> bodies_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> tags_ ABSL_GUARDED_BY(mu_);
};

std::unique_ptr<FakeCluster> NewCluster(int brokers = 1) {
  testing::FakeClusterOptions options;
  options.broker_count = brokers;
  auto cluster = FakeCluster::Create(options);
  REQUIRE(cluster.ok());
  return std::move(*cluster);
}

TEST_CASE("messages sent reach a push consumer, each once") {
  auto cluster = NewCluster(2);
  REQUIRE(cluster->CreateTopic("Orders", 4).ok());
  Producer producer(cluster->NewProducerConfig("P"));
  REQUIRE(producer.Start().ok());

  Inbox inbox;
  PushConsumerConfig config = cluster->NewPushConsumerConfig("C");
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  PushConsumer consumer(config);
  REQUIRE(consumer.Subscribe("Orders", "*").ok());
  consumer.RegisterMessageListener(inbox.Listener());
  REQUIRE(consumer.Start().ok());

  std::set<std::string> sent;
  for (int i = 0; i < 200; ++i) {
    auto result = producer.Send(Message("Orders", "TagA", "m" + std::to_string(i)));
    REQUIRE(result.ok());
    sent.insert("m" + std::to_string(i));
  }
  REQUIRE(inbox.WaitFor(200));
  std::vector<std::string> got = inbox.bodies();
  CHECK(got.size() == 200);
  CHECK(std::set<std::string>(got.begin(), got.end()) == sent);
  consumer.Shutdown();
  producer.Shutdown();
}

TEST_CASE("tag filter: only the subscribed tags arrive") {
  auto cluster = NewCluster();
  REQUIRE(cluster->CreateTopic("T", 2).ok());
  Producer producer(cluster->NewProducerConfig("P"));
  REQUIRE(producer.Start().ok());
  Inbox inbox;
  PushConsumerConfig config = cluster->NewPushConsumerConfig("C");
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  PushConsumer consumer(config);
  REQUIRE(consumer.Subscribe("T", "TagA || TagC").ok());
  consumer.RegisterMessageListener(inbox.Listener());
  REQUIRE(consumer.Start().ok());
  for (int i = 0; i < 30; ++i) {
    const char* tag = i % 3 == 0 ? "TagA" : i % 3 == 1 ? "TagB" : "TagC";
    REQUIRE(producer.Send(Message("T", tag, std::to_string(i))).ok());
  }
  REQUIRE(inbox.WaitFor(20));
  // Nothing else is coming: the 10 TagB messages are filtered out.
  for (const std::string& tag : inbox.tags()) CHECK(tag != "TagB");
  CHECK(inbox.size() == 20);
}

TEST_CASE("broadcasting: every member gets every message") {
  auto cluster = NewCluster();
  REQUIRE(cluster->CreateTopic("B", 4).ok());
  Producer producer(cluster->NewProducerConfig("P"));
  REQUIRE(producer.Start().ok());
  Inbox a, b;
  auto make = [&](Inbox& inbox) {
    PushConsumerConfig config = cluster->NewPushConsumerConfig("G");
    config.message_model = MessageModel::kBroadcasting;
    config.consume_from_where = ConsumeFromWhere::kFirstOffset;
    auto consumer = std::make_unique<PushConsumer>(config);
    REQUIRE(consumer->Subscribe("B", "*").ok());
    consumer->RegisterMessageListener(inbox.Listener());
    REQUIRE(consumer->Start().ok());
    return consumer;
  };
  auto ca = make(a);
  auto cb = make(b);
  for (int i = 0; i < 50; ++i) REQUIRE(producer.Send(Message("B", "x", std::to_string(i))).ok());
  REQUIRE(a.WaitFor(50));
  REQUIRE(b.WaitFor(50));
}

TEST_CASE("clustering: two members split the queues and together get each message once") {
  auto cluster = NewCluster(2);
  REQUIRE(cluster->CreateTopic("S", 4).ok());
  Producer producer(cluster->NewProducerConfig("P"));
  REQUIRE(producer.Start().ok());
  Inbox a, b;
  auto make = [&](Inbox& inbox) {
    PushConsumerConfig config = cluster->NewPushConsumerConfig("G");
    config.consume_from_where = ConsumeFromWhere::kFirstOffset;
    auto consumer = std::make_unique<PushConsumer>(config);
    REQUIRE(consumer->Subscribe("S", "*").ok());
    consumer->RegisterMessageListener(inbox.Listener());
    REQUIRE(consumer->Start().ok());
    return consumer;
  };
  auto ca = make(a);
  auto cb = make(b);
  cluster->Advance(absl::Seconds(21));  // Every member rebalances with both known.
  for (int i = 0; i < 400; ++i) REQUIRE(producer.Send(Message("S", "x", std::to_string(i))).ok());
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (a.size() + b.size() < 400 && absl::Now() < deadline) cluster->Advance(absl::Seconds(1));
  CHECK(a.size() + b.size() == 400);
  CHECK(a.size() > 0);
  CHECK(b.size() > 0);
  std::vector<std::string> all = a.bodies();
  for (auto& s : b.bodies()) all.push_back(s);
  CHECK(std::set<std::string>(all.begin(), all.end()).size() == 400);
}

}  // namespace
}  // namespace rmq
