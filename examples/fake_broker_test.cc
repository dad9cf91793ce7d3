// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// fake_broker_test: how to unit-test your own code that uses rmq. The code
// under test takes ordinary ProducerConfig / PushConsumerConfig values; the
// test hands it configs from rmq::testing::FakeCluster, a name server and
// brokers inside the test process with a VirtualClock. Nothing to start
// outside the test, no ports, and time-driven behaviour (a broker dropped by
// the name server after 120 s, route refreshes every 30 s) takes one
// Advance() call instead of minutes.

#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "rmq/testing.h"
#include "spdlog/spdlog.h"

namespace {

// ---- The application under test (in a real project, in its own files) ----

// Takes orders and publishes an "OrderPlaced" event for each.
class OrderService {
 public:
  explicit OrderService(rmq::ProducerConfig config) : producer_(std::move(config)) {}
  absl::Status Start() { return producer_.Start(); }

  // The order id is the event's key, so the event can be looked up by it.
  absl::StatusOr<rmq::SendResult> PlaceOrder(const std::string& order_id, int amount_cents) {
    return producer_.Send(rmq::Message("Orders", "OrderPlaced", order_id,
                                       "amount_cents=" + std::to_string(amount_cents)));
  }

 private:
  rmq::Producer producer_;
};

// Counts the distinct orders placed, from the OrderPlaced events.
class OrderCounter {
 public:
  explicit OrderCounter(rmq::PushConsumerConfig config) : consumer_(WithStartOffset(config)) {}

  absl::Status Start() {
    if (absl::Status s = consumer_.Subscribe("Orders", "OrderPlaced"); !s.ok()) return s;
    consumer_.RegisterMessageListener(
        [this](std::span<const rmq::MessageExt> msgs, rmq::ConsumeConcurrentlyContext&) {
          absl::MutexLock lock(&mu_);
          for (const rmq::MessageExt& msg : msgs) orders_.insert(std::string(msg.keys()));
          return rmq::ConsumeConcurrentlyStatus::kConsumeSuccess;
        });
    return consumer_.Start();
  }

  // Waits until `count` orders were counted; false after `guard` (real time).
  bool WaitForCount(size_t count, absl::Duration guard) {
    absl::MutexLock lock(&mu_);
    auto counted = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return orders_.size() >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&counted), guard);
  }

 private:
  // Every order ever placed counts, including those from before this started.
  static rmq::PushConsumerConfig WithStartOffset(rmq::PushConsumerConfig config) {
    config.consume_from_where = rmq::ConsumeFromWhere::kFirstOffset;
    return config;
  }

  rmq::PushConsumer consumer_;
  absl::Mutex mu_;
  std::set<std::string> orders_ ABSL_GUARDED_BY(mu_);
};

// ---- Its tests -------------------------------------------------------------

// Real time a test may wait for the consumer's threads: a guard against
// hanging only, never a timing assertion.
constexpr absl::Duration kGuard = absl::Seconds(30);

// Two brokers with the Orders topic, and the application wired to them.
// Members are destroyed in reverse: the application stops before the cluster.
struct Shop {
  Shop() {
    // rmq logs through spdlog; these tests fail a broker on purpose, so
    // show only errors, not the warnings that failure causes.
    spdlog::set_level(spdlog::level::err);
    rmq::testing::FakeClusterOptions options;
    options.broker_count = 2;
    auto created = rmq::testing::FakeCluster::Create(options);
    REQUIRE(created.ok());
    cluster = std::move(*created);
    REQUIRE(cluster->CreateTopic("Orders", /*queues_per_broker=*/4).ok());
    service = std::make_unique<OrderService>(cluster->NewProducerConfig("OrderService"));
    REQUIRE(service->Start().ok());
    counter = std::make_unique<OrderCounter>(cluster->NewPushConsumerConfig("OrderCounter"));
    REQUIRE(counter->Start().ok());
  }

  // Places orders first..first+count-1; returns the brokers their events went to.
  std::set<std::string> PlaceOrders(int first, int count) {
    std::set<std::string> brokers;
    for (int i = first; i < first + count; ++i) {
      auto sent = service->PlaceOrder("order-" + std::to_string(i), 100 * i);
      REQUIRE(sent.ok());
      brokers.insert(sent->message_queue.broker_name);
    }
    return brokers;
  }

  std::unique_ptr<rmq::testing::FakeCluster> cluster;
  std::unique_ptr<OrderService> service;
  std::unique_ptr<OrderCounter> counter;
};

TEST_CASE_METHOD(Shop, "every order placed is counted, with events spread over both brokers") {
  std::set<std::string> brokers = PlaceOrders(0, 20);
  CHECK(brokers == std::set<std::string>{cluster->broker_name(0), cluster->broker_name(1)});
  CHECK(counter->WaitForCount(20, kGuard));
}

TEST_CASE_METHOD(Shop, "orders are still published and counted after a broker fails") {
  PlaceOrders(0, 10);
  REQUIRE(counter->WaitForCount(10, kGuard));

  cluster->FailBroker(0);
  // The name server drops broker-0 after 120 s without a registration, and
  // clients refresh their routes every 30 s: three virtual minutes cover both.
  cluster->Advance(absl::Minutes(3));

  std::set<std::string> brokers = PlaceOrders(10, 10);
  CHECK(brokers == std::set<std::string>{cluster->broker_name(1)});
  CHECK(counter->WaitForCount(20, kGuard));
}

}  // namespace
