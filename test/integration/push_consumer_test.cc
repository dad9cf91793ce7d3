// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Producer → broker → PushConsumer on both kinds of cluster (a FakeCluster,
// with two brokers where it matters, and an EmbeddedCluster): delivery, tag
// filters at the broker and at the client, clustering and broadcasting.
// Rebalancing, offsets, ConsumeFromWhere, long polling, flow control and
// retries are in consumer_flow_test.cc.

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "test/integration/consumer_helpers.h"

namespace rmq::testing {
namespace {

// Java's String.hashCode, which RocketMQ stores as a message's tagsCode and
// the broker filters on.
int32_t JavaStringHashCode(std::string_view s) {
  uint32_t h = 0;
  for (unsigned char c : s) h = 31 * h + c;
  return static_cast<int32_t>(h);
}

// Sends (tags, body) pairs in order into the one queue of `topic`, then a
// last message tagged `last_tags` with body "end". A one-thread consumer has
// seen everything it was going to see of the queue once "end" arrived.
void SendThenEnd(ClusterUnderTest& cluster, Producer& producer, const std::string& topic,
                 const std::vector<std::pair<std::string, std::string>>& tagged_bodies,
                 const std::string& last_tags) {
  const MessageQueue queue = QueuesOf(cluster, topic, 1).front();
  for (const auto& [tags, body] : tagged_bodies) SendTo(cluster, producer, queue, body, tags);
  SendTo(cluster, producer, queue, "end", last_tags);
}

bool WaitForEnd(Inbox& inbox) {
  return WaitWithoutTimers([&] { return Contains(inbox.bodies(), "end"); });
}

TEST_CASE("messages sent reach a push consumer, each once") {
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  INFO(ClusterKindName(kind));
  auto cluster = StartCluster(kind, /*fake_brokers=*/2);
  CreateTopic(*cluster, "Orders", 4);
  auto producer = StartProducer(*cluster, "P");
  Inbox inbox;
  auto consumer =
      StartConsumer(StartingAt(cluster->NewPushConsumerConfig("C"), ConsumeFromWhere::kFirstOffset),
                    "Orders", "*", inbox.Listener());

  std::set<std::string> sent;
  for (int i = 0; i < 200; ++i) {
    auto result = producer->Send(Message("Orders", "TagA", "m" + std::to_string(i)));
    INFO(result.status().ToString());
    REQUIRE(result.ok());
    sent.insert("m" + std::to_string(i));
  }
  REQUIRE(inbox.WaitFor(200));
  std::vector<std::string> got = inbox.bodies();
  CHECK(got.size() == 200);
  CHECK(std::set<std::string>(got.begin(), got.end()) == sent);
}

TEST_CASE("a tag expression delivers only the subscribed tags") {
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  INFO(ClusterKindName(kind));
  auto cluster = StartCluster(kind);
  CreateTopic(*cluster, "Tagged", 1);
  auto producer = StartProducer(*cluster, "P");
  Inbox inbox;
  auto consumer = StartConsumer(
      OneThread(StartingAt(cluster->NewPushConsumerConfig("C"), ConsumeFromWhere::kFirstOffset)),
      "Tagged", "TagA || TagC", inbox.Listener());

  std::vector<std::pair<std::string, std::string>> tagged;
  std::vector<std::string> expected;
  for (int i = 0; i < 30; ++i) {
    const std::string tag = i % 3 == 0 ? "TagA" : i % 3 == 1 ? "TagB" : "TagC";
    tagged.emplace_back(tag, std::to_string(i));
    if (tag != "TagB") expected.push_back(std::to_string(i));
  }
  expected.push_back("end");
  SendThenEnd(*cluster, *producer, "Tagged", tagged, "TagC");
  REQUIRE(WaitForEnd(inbox));
  CHECK(inbox.bodies() == expected);
}

TEST_CASE("a tag whose hash code equals the subscribed tag's passes the broker and is dropped by "
          "the client") {
  // The broker compares tagsCode (the hash) only; the client re-checks the
  // tag string. "Aa" and "BB" share a hash, "TagA" does not.
  REQUIRE(JavaStringHashCode("Aa") == JavaStringHashCode("BB"));
  REQUIRE(JavaStringHashCode("Aa") != JavaStringHashCode("TagA"));
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  INFO(ClusterKindName(kind));
  auto cluster = StartCluster(kind);
  CreateTopic(*cluster, "Colliding", 1);
  auto producer = StartProducer(*cluster, "P");
  Inbox inbox;
  auto consumer = StartConsumer(
      OneThread(StartingAt(cluster->NewPushConsumerConfig("C"), ConsumeFromWhere::kFirstOffset)),
      "Colliding", "Aa", inbox.Listener());

  SendThenEnd(*cluster, *producer, "Colliding",
              {{"BB", "bb0"}, {"Aa", "aa1"}, {"TagA", "tagA2"}, {"BB", "bb3"}, {"Aa", "aa4"}}, "Aa");
  REQUIRE(WaitForEnd(inbox));
  CHECK(inbox.bodies() == std::vector<std::string>{"aa1", "aa4", "end"});
  for (const MessageExt& m : inbox.messages()) CHECK(m.tags() == "Aa");
}

TEST_CASE("broadcasting: every member gets every message") {
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  INFO(ClusterKindName(kind));
  auto cluster = StartCluster(kind, /*fake_brokers=*/2);
  CreateTopic(*cluster, "Broadcast", 4);
  auto producer = StartProducer(*cluster, "P");
  auto member = [&](Inbox& inbox) {
    PushConsumerConfig config = cluster->NewPushConsumerConfig("G");
    config.message_model = MessageModel::kBroadcasting;
    return StartConsumer(StartingAt(config, ConsumeFromWhere::kFirstOffset), "Broadcast", "*",
                         inbox.Listener());
  };
  Inbox a, b;
  auto consumer_a = member(a);
  auto consumer_b = member(b);

  const std::vector<std::string> sent =
      SendToEach(*cluster, *producer, QueuesOf(*cluster, "Broadcast", 4), "b", /*per_queue=*/6);
  for (Inbox* inbox : {&a, &b}) {
    REQUIRE(inbox->WaitFor(sent.size()));
    std::vector<std::string> got = inbox->bodies();
    CHECK(std::multiset<std::string>(got.begin(), got.end()) ==
          std::multiset<std::string>(sent.begin(), sent.end()));
  }
}

TEST_CASE("clustering: two members share the queues and together get every message") {
  // At least once: until both members have rebalanced, the first may still
  // consume a queue the second has taken (consumer_flow_test.cc checks
  // exactly-once after convergence, on a FakeCluster).
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  INFO(ClusterKindName(kind));
  auto cluster = StartCluster(kind, /*fake_brokers=*/2);
  CreateTopic(*cluster, "Shared", 4);
  auto producer = StartProducer(*cluster, "P");
  auto member = [&](Inbox& inbox) {
    return StartConsumer(
        StartingAt(cluster->NewPushConsumerConfig("G"), ConsumeFromWhere::kFirstOffset), "Shared",
        "*", inbox.Listener());
  };
  Inbox a, b;
  auto consumer_a = member(a);
  auto consumer_b = member(b);

  const std::vector<std::string> sent =
      SendToEach(*cluster, *producer, QueuesOf(*cluster, "Shared", 4), "s", /*per_queue=*/10);
  auto all_received = [&] {
    std::vector<std::string> got = a.bodies();
    for (std::string& body : b.bodies()) got.push_back(std::move(body));
    return std::all_of(sent.begin(), sent.end(),
                       [&](const std::string& body) { return Contains(got, body); });
  };
  CHECK(WaitUntil(*cluster, all_received));
  CHECK(a.size() > 0);
  CHECK(b.size() > 0);
}

}  // namespace
}  // namespace rmq::testing
