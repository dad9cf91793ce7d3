// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Retry and dead letters end to end on a FakeCluster: a push consumer's
// failed message goes back to the broker (CONSUMER_SEND_MSG_BACK), waits in
// SCHEDULE_TOPIC_XXXX for delay level 3 + reconsumeTimes, comes back through
// %RETRY%<group> under its original topic, and after maxReconsumeTimes (16)
// lands in %DLQ%<group>. On the VirtualClock the whole 4 h 45 min 40 s
// schedule runs at once, and each redelivery happens exactly when due.

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "rmq/store.h"
#include "rmq/testing.h"
#include "support/wait_for.h"

namespace rmq::testing {
namespace {

struct Delivery {
  std::string topic;
  std::string uniq_key;
  int32_t reconsume_times;
  absl::Time at;  // Virtual time of the delivery.
};

// A listener that fails the first `failures` deliveries (of any message),
// recording every delivery.
class FailingListener {
 public:
  FailingListener(VirtualClock& clock, int failures) : clock_(clock), failures_(failures) {}

  MessageListenerConcurrently Listener() {
    return [this](std::span<const MessageExt> msgs, ConsumeConcurrentlyContext&) {
      absl::MutexLock lock(&mu_);
      for (const MessageExt& m : msgs) {
        deliveries_.push_back(Delivery{m.topic(), std::string(m.GetProperty(property::kUniqKey)),
                                       m.reconsume_times, clock_.Now()});
      }
      return static_cast<int>(deliveries_.size()) <= failures_
                 ? ConsumeConcurrentlyStatus::kReconsumeLater
                 : ConsumeConcurrentlyStatus::kConsumeSuccess;
    };
  }
  size_t count() {
    absl::MutexLock lock(&mu_);
    return deliveries_.size();
  }
  std::vector<Delivery> deliveries() {
    absl::MutexLock lock(&mu_);
    return deliveries_;
  }

 private:
  VirtualClock& clock_;
  const int failures_;
  absl::Mutex mu_;
  std::vector<Delivery> deliveries_ ABSL_GUARDED_BY(mu_);
};

struct RetryFixture {
  std::unique_ptr<FakeCluster> cluster;
  std::unique_ptr<Producer> producer;
  std::unique_ptr<PushConsumer> consumer;
  std::unique_ptr<FailingListener> listener;
  std::string msg_id;

  explicit RetryFixture(int failures, int max_reconsume_times = -1) {
    auto created = FakeCluster::Create();
    REQUIRE(created.ok());
    cluster = *std::move(created);
    REQUIRE(cluster->CreateTopic("OrderEvents", 1).ok());
    listener = std::make_unique<FailingListener>(cluster->clock(), failures);
    PushConsumerConfig config = cluster->NewPushConsumerConfig("Billing");
    config.consume_from_where = ConsumeFromWhere::kFirstOffset;
    config.max_reconsume_times = max_reconsume_times;
    consumer = std::make_unique<PushConsumer>(config);
    REQUIRE(consumer->Subscribe("OrderEvents", "*").ok());
    consumer->RegisterMessageListener(listener->Listener());
    REQUIRE(consumer->Start().ok());
    producer = std::make_unique<Producer>(cluster->NewProducerConfig("Shop"));
    REQUIRE(producer->Start().ok());
    auto sent = producer->Send(Message("OrderEvents", "TagA", "order-1", "pay me"));
    REQUIRE(sent.ok());
    msg_id = sent->msg_id;
  }
  ~RetryFixture() {
    consumer->Shutdown();
    producer->Shutdown();
  }

  // After delivery `n`: waits until the failed message is held for later,
  // then moves the clock exactly to when it is due.
  void AdvanceToRedelivery(size_t n) {
    INFO("delivery " << n);
    REQUIRE(WaitFor([&] { return listener->count() >= n; }));
    REQUIRE(WaitFor([&] { return cluster->DelayedMessageCount() == 1; }));
    cluster->clock().AdvanceTo(*cluster->NextDelayedDelivery());
  }

  int64_t DlqMessages() {
    return cluster->broker(0).store()->GetMaxOffsetInQueue("%DLQ%Billing", 0);
  }
};

TEST_CASE("A message that keeps failing is retried 16 times on RocketMQ's schedule, then dead-lettered") {
  RetryFixture f(/*failures=*/1000);
  const absl::Time start = absl::Now();
  // Delivery 1 is the original; 2..17 the retries at levels 3..18.
  for (size_t n = 1; n <= 16; ++n) f.AdvanceToRedelivery(n);
  REQUIRE(WaitFor([&] { return f.listener->count() >= 17; }));
  REQUIRE(WaitFor([&] { return f.DlqMessages() == 1; }));
  const absl::Duration wall = absl::Now() - start;

  // 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h after each failure.
  const std::vector<int64_t> gaps_s = {10,  30,  60,  120, 180,  240,  300,  360,
                                       420, 480, 540, 600, 1200, 1800, 3600, 7200};
  std::vector<Delivery> deliveries = f.listener->deliveries();
  REQUIRE(deliveries.size() == 17);
  for (size_t i = 0; i < deliveries.size(); ++i) {
    INFO("delivery " << i + 1);
    CHECK(deliveries[i].topic == "OrderEvents");  // Not %RETRY%Billing.
    CHECK(deliveries[i].uniq_key == f.msg_id);
    CHECK(deliveries[i].reconsume_times == static_cast<int32_t>(i));
    if (i > 0) CHECK(deliveries[i].at - deliveries[i - 1].at == absl::Seconds(gaps_s[i - 1]));
  }
  CHECK(deliveries.back().at - deliveries.front().at == absl::Seconds(17140));  // 4 h 45 min 40 s

  // The dead letter: the last copy, under %DLQ%Billing, traced to the original.
  Broker& broker = f.cluster->broker(0);
  GetMessageResult got = broker.store()->Get("%DLQ%Billing", 0, 0, 8, nullptr);
  REQUIRE(got.message_count() == 1);
  auto dead = DecodeMessage(got.record(0));
  REQUIRE(dead.ok());
  CHECK(dead->body() == "pay me");
  CHECK(dead->reconsume_times == 17);
  CHECK(dead->GetProperty(property::kRetryTopic) == "OrderEvents");
  CHECK(dead->GetProperty(property::kUniqKey) == f.msg_id);
  CHECK_FALSE(dead->GetProperty(property::kOriginMessageId).empty());
  // Nothing else comes, however long.
  f.cluster->Advance(absl::Hours(3));
  absl::SleepFor(absl::Milliseconds(100));
  CHECK(f.listener->count() == 17);
  WARN("16 retries and the DLQ took " << absl::FormatDuration(wall) << " of wall time");
}

TEST_CASE("A message that fails twice comes back after 10 s and then 30 s, and is consumed") {
  RetryFixture f(/*failures=*/2);
  f.AdvanceToRedelivery(1);
  f.AdvanceToRedelivery(2);
  REQUIRE(WaitFor([&] { return f.listener->count() >= 3; }));
  std::vector<Delivery> deliveries = f.listener->deliveries();
  CHECK(deliveries[1].at - deliveries[0].at == absl::Seconds(10));
  CHECK(deliveries[2].at - deliveries[1].at == absl::Seconds(30));
  // Consumed: no retry is pending, nothing reaches the DLQ.
  CHECK(WaitFor([&] { return f.cluster->DelayedMessageCount() == 0; }));
  f.cluster->Advance(absl::Hours(1));
  absl::SleepFor(absl::Milliseconds(100));
  CHECK(f.listener->count() == 3);
  CHECK(f.DlqMessages() == 0);
}

TEST_CASE("A consumer's own maxReconsumeTimes sends the message to the DLQ sooner") {
  RetryFixture f(/*failures=*/1000, /*max_reconsume_times=*/2);
  f.AdvanceToRedelivery(1);
  f.AdvanceToRedelivery(2);
  REQUIRE(WaitFor([&] { return f.listener->count() >= 3; }));
  REQUIRE(WaitFor([&] { return f.DlqMessages() == 1; }));
  CHECK(f.cluster->DelayedMessageCount() == 0);
}

}  // namespace
}  // namespace rmq::testing
