// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Support for whole-flow tests that run against both kinds of cluster:
//  - ClusterUnderTest: a FakeCluster (several brokers, VirtualClock) or an
//    EmbeddedCluster (one broker, system clock, temporary store), reached in
//    process or over TCP on loopback, behind one small interface; tests that
//    need several brokers or virtual time ask `fake()` and skip the others.
//  - Inbox: collects what a push consumer's listener receives and waits for
//    a count (real time, as a guard against hanging only).

#ifndef RMQ_TEST_SUPPORT_MESSAGING_H_
#define RMQ_TEST_SUPPORT_MESSAGING_H_

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rmq/cluster.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "rmq/testing.h"
#include "test/support/store_fixtures.h"
#include "test/support/temp_dir.h"

namespace rmq::testing {

enum class ClusterKind { kFake, kEmbedded, kEmbeddedTcp };

inline const char* ClusterKindName(ClusterKind kind) {
  switch (kind) {
    case ClusterKind::kFake: return "FakeCluster";
    case ClusterKind::kEmbedded: return "EmbeddedCluster";
    case ClusterKind::kEmbeddedTcp: return "EmbeddedCluster over TCP";
  }
  return "?";
}

class ClusterUnderTest {
 public:
  // A started cluster of `kind`; `fake_brokers` applies to FakeCluster only
  // (an EmbeddedCluster has one broker). Returns null after FAIL-ing the
  // status into `error`. The brokers' autoCreateTopicEnable and
  // enablePropertyFilter as given.
  static std::unique_ptr<ClusterUnderTest> Start(ClusterKind kind, int fake_brokers,
                                                 absl::Status* error,
                                                 bool auto_create_topic_enable = true,
                                                 bool enable_property_filter = false) {
    auto self = std::unique_ptr<ClusterUnderTest>(new ClusterUnderTest(kind));
    if (kind == ClusterKind::kFake) {
      FakeClusterOptions options;
      options.broker_count = fake_brokers;
      options.auto_create_topic_enable = auto_create_topic_enable;
      options.enable_property_filter = enable_property_filter;
      auto cluster = FakeCluster::Create(options);
      if (!cluster.ok()) return *error = cluster.status(), nullptr;
      self->fake_ = std::move(*cluster);
    } else {
      static std::atomic<int> next{0};
      EmbeddedClusterOptions options;
      options.store_dir = self->dir_.Sub("store");
      UseTestSizedStore(&options.broker.store);
      options.name = absl::StrCat("it", next.fetch_add(1));
      options.broker.auto_create_topic_enable = auto_create_topic_enable;
      options.broker.enable_property_filter = enable_property_filter;
      options.listen_tcp = kind == ClusterKind::kEmbeddedTcp;
      auto cluster = EmbeddedCluster::Start(options);
      if (!cluster.ok()) return *error = cluster.status(), nullptr;
      self->embedded_ = std::move(*cluster);
    }
    return self;
  }

  ClusterKind kind() const { return kind_; }
  // The FakeCluster, or null for an EmbeddedCluster.
  FakeCluster* fake() { return fake_.get(); }
  EmbeddedCluster* embedded() { return embedded_.get(); }
  int broker_count() const { return fake_ ? fake_->broker_count() : 1; }

  absl::Status CreateTopic(std::string_view topic, int32_t queues_per_broker = 4) {
    return fake_ ? fake_->CreateTopic(topic, queues_per_broker)
                 : embedded_->CreateTopic(topic, queues_per_broker);
  }

  ProducerConfig NewProducerConfig(std::string group) {
    if (fake_) return fake_->NewProducerConfig(std::move(group));
    ProducerConfig config;
    FillEmbedded(config);
    config.group_name = std::move(group);
    return config;
  }
  PushConsumerConfig NewPushConsumerConfig(std::string group) {
    if (fake_) return fake_->NewPushConsumerConfig(std::move(group));
    PushConsumerConfig config;
    FillEmbedded(config);
    config.group_name = std::move(group);
    return config;
  }
  PullConsumerConfig NewPullConsumerConfig(std::string group) {
    if (fake_) return fake_->NewPullConsumerConfig(std::move(group));
    PullConsumerConfig config;
    FillEmbedded(config);
    config.group_name = std::move(group);
    return config;
  }

 private:
  explicit ClusterUnderTest(ClusterKind kind) : kind_(kind) {}

  // Each client gets its own instance name (so its own client instance) and
  // the temporary directory for broadcasting offsets.
  void FillEmbedded(ClientConfig& config) {
    config.namesrv_addr = embedded_->namesrv_address();
    config.instance_name = absl::StrCat("client-", next_client_++);
    config.local_offset_store_dir = dir_.Sub("client-offsets");
  }

  ClusterKind kind_;
  TempDir dir_;
  int next_client_ = 0;
  std::unique_ptr<FakeCluster> fake_;
  std::unique_ptr<EmbeddedCluster> embedded_;
};

// What a push consumer's listener received, in arrival order.
class Inbox {
 public:
  // A listener that records every message and answers CONSUME_SUCCESS.
  MessageListenerConcurrently Listener() {
    return [this](std::span<const MessageExt> msgs, ConsumeConcurrentlyContext&) {
      absl::MutexLock lock(&mu_);
      for (const MessageExt& m : msgs) messages_.push_back(m);
      return ConsumeConcurrentlyStatus::kConsumeSuccess;
    };
  }
  // True once at least `n` messages arrived; false after `guard` of real time.
  bool WaitFor(size_t n, absl::Duration guard = absl::Seconds(30)) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return messages_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), guard);
  }
  std::vector<MessageExt> messages() {
    absl::MutexLock lock(&mu_);
    return messages_;
  }
  std::vector<std::string> bodies() {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> out;
    for (const MessageExt& m : messages_) out.push_back(m.body());
    return out;
  }
  size_t size() {
    absl::MutexLock lock(&mu_);
    return messages_.size();
  }

 private:
  absl::Mutex mu_;
  std::vector<MessageExt> messages_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rmq::testing

#endif  // RMQ_TEST_SUPPORT_MESSAGING_H_
