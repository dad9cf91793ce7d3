// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RocketMQ's send latency fault tolerance: the latency → avoidance table, the
// fault items on a VirtualClock, pickOneAtLeast, the queue choice, and a
// producer with sendLatencyFaultEnable against fake brokers.

#include "client/latency_fault_tolerance.h"

#include <map>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "unit/client/producer_test_cluster.h"

namespace rmq::testing {
namespace {

using internal::FaultStrategy;
using internal::LatencyFaultTolerance;
using internal::NotAvailableDurationMs;

internal::TopicPublishInfo TwoBrokerInfo(int32_t queues) {
  internal::TopicRouteData route;
  for (std::string name : {"broker-a", "broker-b"}) {
    internal::QueueData qd;
    qd.broker_name = name;
    qd.read_queue_nums = queues;
    qd.write_queue_nums = queues;
    qd.perm = 6;
    route.queue_datas.push_back(qd);
    internal::BrokerData bd;
    bd.broker_name = name;
    bd.broker_addrs[0] = "inproc://" + name;
    route.broker_datas.push_back(bd);
  }
  return internal::TopicPublishInfo("T", route);
}

TEST_CASE("MQFaultStrategy's latency table") {
  CHECK(NotAvailableDurationMs(0) == 0);
  CHECK(NotAvailableDurationMs(49) == 0);
  CHECK(NotAvailableDurationMs(50) == 0);
  CHECK(NotAvailableDurationMs(549) == 0);
  CHECK(NotAvailableDurationMs(550) == 30000);
  CHECK(NotAvailableDurationMs(999) == 30000);
  CHECK(NotAvailableDurationMs(1000) == 60000);
  CHECK(NotAvailableDurationMs(2000) == 120000);
  CHECK(NotAvailableDurationMs(3000) == 180000);
  CHECK(NotAvailableDurationMs(14999) == 180000);
  CHECK(NotAvailableDurationMs(15000) == 600000);
  CHECK(NotAvailableDurationMs(30000) == 600000);
}

TEST_CASE("a fault item makes its broker unavailable until the duration has passed") {
  VirtualClock clock;
  LatencyFaultTolerance faults(clock);
  CHECK(faults.IsAvailable("broker-a"));  // Never recorded.
  faults.UpdateFaultItem("broker-a", 700, 30000);
  CHECK_FALSE(faults.IsAvailable("broker-a"));
  CHECK(faults.IsAvailable("broker-b"));
  clock.Advance(absl::Milliseconds(29999));
  CHECK_FALSE(faults.IsAvailable("broker-a"));
  clock.Advance(absl::Milliseconds(1));
  CHECK(faults.IsAvailable("broker-a"));
  // A later record replaces the earlier one.
  faults.UpdateFaultItem("broker-a", 10, 0);
  CHECK(faults.IsAvailable("broker-a"));
  faults.UpdateFaultItem("broker-a", 20000, 600000);
  faults.Remove("broker-a");
  CHECK(faults.IsAvailable("broker-a"));
}

TEST_CASE("pickOneAtLeast prefers available, then faster brokers, rotating over the better half") {
  VirtualClock clock;
  LatencyFaultTolerance faults(clock);
  CHECK_FALSE(faults.PickOneAtLeast().has_value());
  faults.UpdateFaultItem("slow", 5000, 600000);
  CHECK(faults.PickOneAtLeast() == "slow");  // A single item is picked.
  faults.UpdateFaultItem("fast", 600, 30000);
  // Two items: the better half is the fast one alone.
  for (int i = 0; i < 5; ++i) CHECK(faults.PickOneAtLeast() == "fast");
  faults.UpdateFaultItem("medium", 1000, 60000);
  faults.UpdateFaultItem("recovered", 9000, 0);  // Available again: first despite its latency.
  std::set<std::string> picked;
  for (int i = 0; i < 10; ++i) picked.insert(*faults.PickOneAtLeast());
  CHECK(picked == std::set<std::string>{"recovered", "fast"});
}

TEST_CASE("with the strategy off, a retry picks a queue on another broker") {
  VirtualClock clock;
  FaultStrategy strategy(false, clock);
  auto info = TwoBrokerInfo(2);
  strategy.UpdateFaultItem("broker-a", 30000, true);  // Ignored when off.
  for (int i = 0; i < 8; ++i) {
    CHECK(strategy.SelectOneMessageQueue(info, "broker-a").broker_name == "broker-b");
    CHECK(strategy.SelectOneMessageQueue(info, "broker-b").broker_name == "broker-a");
  }
  CHECK(strategy.tolerance().IsAvailable("broker-a"));
}

TEST_CASE("with the strategy on, an isolated broker is skipped for 600 s, a slow one for its band") {
  VirtualClock clock;
  FaultStrategy strategy(true, clock);
  auto info = TwoBrokerInfo(2);
  // A failure: counted as 30 s of latency, so 600 s away.
  strategy.UpdateFaultItem("broker-a", 5, true);
  for (int i = 0; i < 8; ++i) CHECK(strategy.SelectOneMessageQueue(info, "").broker_name == "broker-b");
  clock.Advance(absl::Milliseconds(599999));
  CHECK(strategy.SelectOneMessageQueue(info, "").broker_name == "broker-b");
  CHECK(strategy.SelectOneMessageQueue(info, "").broker_name == "broker-b");
  clock.Advance(absl::Milliseconds(1));
  std::set<std::string> brokers;
  for (int i = 0; i < 4; ++i) brokers.insert(strategy.SelectOneMessageQueue(info, "").broker_name);
  CHECK(brokers.size() == 2);

  // A success that took 1200 ms: avoided for 60 s.
  strategy.UpdateFaultItem("broker-b", 1200, false);
  clock.Advance(absl::Milliseconds(59999));
  for (int i = 0; i < 4; ++i) CHECK(strategy.SelectOneMessageQueue(info, "").broker_name == "broker-a");
  clock.Advance(absl::Milliseconds(1));
  brokers.clear();
  for (int i = 0; i < 4; ++i) brokers.insert(strategy.SelectOneMessageQueue(info, "").broker_name);
  CHECK(brokers.size() == 2);
}

TEST_CASE("when every broker is avoided, one is picked anyway") {
  VirtualClock clock;
  FaultStrategy strategy(true, clock);
  auto info = TwoBrokerInfo(3);
  strategy.UpdateFaultItem("broker-a", 100, true);
  strategy.UpdateFaultItem("broker-b", 900, true);
  // Both are unavailable; the lower latency one (of the better half) is chosen.
  std::set<int32_t> queue_ids;
  for (int i = 0; i < 30; ++i) {
    const MessageQueue& mq = strategy.SelectOneMessageQueue(info, "");
    CHECK(mq.broker_name == "broker-a");
    CHECK(mq.topic == "T");
    queue_ids.insert(mq.queue_id);
  }
  CHECK(queue_ids == std::set<int32_t>{0, 1, 2});
  // A picked broker that does not serve the topic is forgotten.
  VirtualClock clock2;
  FaultStrategy other(true, clock2);
  other.UpdateFaultItem("broker-a", 100, true);
  other.UpdateFaultItem("broker-b", 100, true);
  other.UpdateFaultItem("broker-x", 1, true);
  other.UpdateFaultItem("broker-y", 2, true);
  for (int i = 0; i < 4; ++i) other.SelectOneMessageQueue(info, "");
  CHECK(other.tolerance().PickOneAtLeast() != "broker-x");
}

// ---- A producer with sendLatencyFaultEnable ---------------------------------

TEST_CASE("a producer with sendLatencyFaultEnable avoids a failed broker for 600 s") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 2);
  ProducerConfig config = cluster.Config();
  config.send_latency_fault_enable = true;
  auto producer = StartedProducer(config);
  cluster.server(0).SetReachable(false);
  // Sends until one has met broker-a (and moved on to broker-b).
  for (int i = 0; i < 4; ++i) REQUIRE(producer->Send(Message("TopicA", "x")).ok());
  cluster.server(0).SetReachable(true);
  const size_t a_before = cluster.broker(0).send_count();
  for (int i = 0; i < 20; ++i) {
    auto result = producer->Send(Message("TopicA", "x"));
    REQUIRE(result.ok());
    CHECK(result->message_queue.broker_name == "broker-b");
  }
  CHECK(cluster.broker(0).send_count() == a_before);  // Reachable again, but avoided.
  cluster.clock().Advance(absl::Milliseconds(600000));
  std::map<std::string, int> per_broker;
  for (int i = 0; i < 20; ++i) {
    auto result = producer->Send(Message("TopicA", "x"));
    REQUIRE(result.ok());
    ++per_broker[result->message_queue.broker_name];
  }
  CHECK(per_broker["broker-a"] == 10);
  CHECK(per_broker["broker-b"] == 10);
}

TEST_CASE("a producer with sendLatencyFaultEnable avoids a slow broker for the latency's band") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 1);
  ProducerConfig config = cluster.Config();
  config.send_latency_fault_enable = true;
  auto producer = StartedProducer(config);
  // broker-a answers after 600 ms (of clock time): 30 s of avoidance.
  cluster.broker(0).SetOnSend([&] { cluster.clock().Advance(absl::Milliseconds(600)); });
  for (int i = 0; i < 2; ++i) REQUIRE(producer->Send(Message("TopicA", "x")).ok());
  REQUIRE(cluster.broker(0).send_count() == 1);
  cluster.broker(0).SetOnSend(nullptr);
  for (int i = 0; i < 6; ++i) {
    CHECK(producer->Send(Message("TopicA", "x"))->message_queue.broker_name == "broker-b");
  }
  cluster.clock().Advance(absl::Milliseconds(29999));
  CHECK(producer->Send(Message("TopicA", "x"))->message_queue.broker_name == "broker-b");
  cluster.clock().Advance(absl::Milliseconds(1));
  std::set<std::string> brokers;
  for (int i = 0; i < 2; ++i) brokers.insert(producer->Send(Message("TopicA", "x"))->message_queue.broker_name);
  CHECK(brokers == std::set<std::string>{"broker-a", "broker-b"});
}

TEST_CASE("a producer with sendLatencyFaultEnable still sends when every broker is avoided") {
  ProducerTestCluster cluster(2);
  cluster.AddTopic("TopicA", 2);
  ProducerConfig config = cluster.Config();
  config.send_latency_fault_enable = true;
  config.retry_times_when_send_failed = 1;
  auto producer = StartedProducer(config);
  cluster.broker(0).AnswerWith(rc::kSystemError);
  cluster.broker(1).AnswerWith(rc::kSystemError);
  CHECK_FALSE(producer->Send(Message("TopicA", "x")).ok());  // Both isolated now.
  cluster.broker(0).SetPolicy(nullptr);
  cluster.broker(1).SetPolicy(nullptr);
  auto result = producer->Send(Message("TopicA", "x"));
  INFO(result.status().ToString());
  CHECK(result.ok());
}

}  // namespace
}  // namespace rmq::testing
