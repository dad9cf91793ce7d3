// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// retry_dlq: what happens to a message your listener keeps failing, on
// RocketMQ's real schedule, in about a second. A FakeCluster's VirtualClock
// stands in for time: the consumer returns kReconsumeLater every time, the
// broker holds the message for delay level 3 + reconsumeTimes (10 s, 30 s,
// 1 min, 2 min, ... 2 h) and delivers it again through %RETRY%<group>; after
// maxReconsumeTimes (16) failures it goes to the dead-letter topic
// %DLQ%<group>, where an operator (or a consumer of that topic) finds it.
//
// Prints one line per delivery, T being virtual seconds since the first:
//   delivery=1 reconsume_times=0 virtual_s=0
//   delivery=2 reconsume_times=1 virtual_s=10
//   ...
//   delivery=17 reconsume_times=16 virtual_s=17140
//   dlq topic=%DLQ%BillingGroup msgId=<the message's msgId>
//   wall_ms=<real milliseconds the whole run took>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "example_support.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "rmq/store.h"
#include "rmq/testing.h"

using rmq_examples::Expect;
using rmq_examples::Ok;
using rmq_examples::WaitFor;

namespace {

constexpr char kTopic[] = "OrderEvents";
constexpr char kGroup[] = "BillingGroup";
constexpr int kMaxReconsumeTimes = 16;  // The default.

// A listener that fails every delivery, printing each.
class AlwaysFails {
 public:
  explicit AlwaysFails(rmq::Clock& clock) : clock_(clock) {}

  rmq::MessageListenerConcurrently Listener() {
    return [this](std::span<const rmq::MessageExt> msgs, rmq::ConsumeConcurrentlyContext&) {
      absl::MutexLock lock(&mu_);
      for (const rmq::MessageExt& msg : msgs) {
        if (deliveries_ == 0) first_ = clock_.Now();
        ++deliveries_;
        last_virtual_s_ = absl::ToInt64Seconds(clock_.Now() - first_);
        std::printf("delivery=%d reconsume_times=%d virtual_s=%lld\n", deliveries_,
                    msg.reconsume_times, static_cast<long long>(last_virtual_s_));
        std::fflush(stdout);
      }
      return rmq::ConsumeConcurrentlyStatus::kReconsumeLater;
    };
  }
  int deliveries() {
    absl::MutexLock lock(&mu_);
    return deliveries_;
  }
  int64_t last_virtual_s() {
    absl::MutexLock lock(&mu_);
    return last_virtual_s_;
  }

 private:
  rmq::Clock& clock_;
  absl::Mutex mu_;
  int deliveries_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time first_ ABSL_GUARDED_BY(mu_);
  int64_t last_virtual_s_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

int main() {
  const auto wall_start = std::chrono::steady_clock::now();
  spdlog::set_level(spdlog::level::warn);
  auto created = rmq::testing::FakeCluster::Create();
  if (!Ok(created, "fake cluster")) return 1;
  rmq::testing::FakeCluster& cluster = **created;
  if (!Ok(cluster.CreateTopic(kTopic, 1), "create topic")) return 1;

  AlwaysFails listener(cluster.clock());
  rmq::PushConsumerConfig consumer_config = cluster.NewPushConsumerConfig(kGroup);
  consumer_config.consume_from_where = rmq::ConsumeFromWhere::kFirstOffset;
  consumer_config.max_reconsume_times = kMaxReconsumeTimes;
  rmq::PushConsumer consumer(consumer_config);
  if (!Ok(consumer.Subscribe(kTopic, "*"), "subscribe")) return 1;
  consumer.RegisterMessageListener(listener.Listener());
  if (!Ok(consumer.Start(), "consumer start")) return 1;

  rmq::Producer producer(cluster.NewProducerConfig("ShopProducers"));
  if (!Ok(producer.Start(), "producer start")) return 1;
  auto sent = producer.Send(rmq::Message(kTopic, "Paid", "order-42", "charge order 42"));
  if (!Ok(sent, "send")) return 1;

  // Each failed delivery leaves the message held by the broker until its
  // delay is over; move virtual time exactly to that moment.
  for (int n = 1; n <= kMaxReconsumeTimes; ++n) {
    if (!Expect(WaitFor([&] { return listener.deliveries() >= n; }), "the delivery arrived") ||
        !Expect(WaitFor([&] { return cluster.DelayedMessageCount() == 1; }),
                "the failed message is held for a retry")) {
      return 1;
    }
    cluster.clock().AdvanceTo(*cluster.NextDelayedDelivery());
  }
  const std::string dlq_topic = std::string("%DLQ%") + kGroup;
  rmq::MessageStore& store = *cluster.broker(0).store();
  bool dead_lettered = WaitFor([&] { return store.GetMaxOffsetInQueue(dlq_topic, 0) == 1; });
  consumer.Shutdown();
  producer.Shutdown();
  if (!Expect(dead_lettered, "the message reached the DLQ")) return 1;

  rmq::GetMessageResult dlq = store.Get(dlq_topic, 0, 0, 1, nullptr);
  auto dead = rmq::DecodeMessage(dlq.record(0));
  if (!Ok(dead, "read the DLQ")) return 1;
  std::printf("dlq topic=%s msgId=%s\n", dlq_topic.c_str(),
              std::string(dead->GetProperty(rmq::property::kUniqKey)).c_str());
  const auto wall = std::chrono::steady_clock::now() - wall_start;
  std::printf("wall_ms=%lld\n", static_cast<long long>(
                                    std::chrono::duration_cast<std::chrono::milliseconds>(wall).count()));
  // 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h: 17,140 s in all.
  const bool passed =
      Expect(listener.deliveries() == kMaxReconsumeTimes + 1, "17 deliveries") &&
      Expect(listener.last_virtual_s() == 17140, "the last delivery at virtual_s=17140") &&
      Expect(dead->GetProperty(rmq::property::kUniqKey) == sent->msg_id,
             "the dead letter is the message sent");
  return passed ? 0 : 1;
}
