// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PullConsumer's consume offsets (RocketMQ's fetchConsumeOffset /
// updateConsumeOffset): clustering offsets live at the broker, written out by
// the client instance's 5 s timer and at Shutdown, and survive a consumer
// and a broker restart; broadcasting offsets live in a local file.

#include <catch2/catch.hpp>

#include "unit/client/pull_consumer_test_helpers.h"

namespace rmq::pull_test {
namespace {

TEST_CASE("UpdateConsumeOffset is cached at once and reaches the broker on the persist timer") {
  auto cluster = NewCluster(2, "OffsetTopic", 2);
  auto producer = StartProducer(*cluster);
  auto consumer = StartConsumer(cluster->NewPullConsumerConfig("OffsetTimer"));
  const MessageQueue queue("OffsetTopic", cluster->broker_name(1), 1);
  for (int i = 0; i < 6; ++i) SendTo(*cluster, *producer, queue, "T", "m");

  REQUIRE(consumer->UpdateConsumeOffset(queue, 5).ok());
  auto cached = consumer->FetchConsumeOffset(queue, /*from_store=*/false);
  REQUIRE(cached.ok());
  CHECK(*cached == 5);
  auto at_broker = consumer->FetchConsumeOffset(queue, /*from_store=*/true);
  REQUIRE(at_broker.ok());
  CHECK(*at_broker != 5);  // Not committed yet.

  REQUIRE(consumer->UpdateConsumeOffset(queue, 5).ok());  // The read above replaced the cache.
  cluster->Advance(absl::Milliseconds(consumer->config().persist_consumer_offset_interval));
  at_broker = consumer->FetchConsumeOffset(queue, /*from_store=*/true);
  INFO(at_broker.status().ToString());
  REQUIRE(at_broker.ok());
  CHECK(*at_broker == 5);

  // An offset may move backwards (the caller decides, as in RocketMQ).
  REQUIRE(consumer->UpdateConsumeOffset(queue, 2).ok());
  CHECK(*consumer->FetchConsumeOffset(queue, false) == 2);
}

TEST_CASE("committed offsets survive a consumer restart and a broker restart") {
  auto cluster = NewCluster(2, "OffsetTopic", 2);
  auto producer = StartProducer(*cluster);
  const MessageQueue q0("OffsetTopic", cluster->broker_name(0), 0);
  const MessageQueue q1("OffsetTopic", cluster->broker_name(1), 1);
  for (int i = 0; i < 10; ++i) {
    SendTo(*cluster, *producer, q0, "T", "a");
    SendTo(*cluster, *producer, q1, "T", "b");
  }
  {
    auto first = StartConsumer(cluster->NewPullConsumerConfig("OffsetRestart"));
    REQUIRE(first->UpdateConsumeOffset(q0, 7).ok());
    REQUIRE(first->UpdateConsumeOffset(q1, 9).ok());
    first->Shutdown();  // Commits.
  }
  auto second = StartConsumer(cluster->NewPullConsumerConfig("OffsetRestart"));
  auto o0 = second->FetchConsumeOffset(q0, true);
  auto o1 = second->FetchConsumeOffset(q1, false);  // Not cached: read from the broker.
  REQUIRE(o0.ok());
  REQUIRE(o1.ok());
  CHECK(*o0 == 7);
  CHECK(*o1 == 9);

  REQUIRE(cluster->RestartBroker(0).ok());
  REQUIRE(cluster->RestartBroker(1).ok());
  o0 = second->FetchConsumeOffset(q0, true);
  o1 = second->FetchConsumeOffset(q1, true);
  INFO(o0.status().ToString() << " " << o1.status().ToString());
  REQUIRE(o0.ok());
  REQUIRE(o1.ok());
  CHECK(*o0 == 7);
  CHECK(*o1 == 9);

  // Another group has its own progress.
  auto other = StartConsumer(cluster->NewPullConsumerConfig("OtherGroup"));
  CHECK(*other->FetchConsumeOffset(q0, true) != 7);
}

TEST_CASE("a broadcasting pull consumer keeps its offsets in its local file") {
  auto cluster = NewCluster(1, "OffsetTopic", 2);
  auto producer = StartProducer(*cluster);
  const MessageQueue queue("OffsetTopic", cluster->broker_name(0), 0);
  for (int i = 0; i < 4; ++i) SendTo(*cluster, *producer, queue, "T", "m");
  auto config = cluster->NewPullConsumerConfig("OffsetBroadcast");
  config.message_model = MessageModel::kBroadcasting;
  {
    auto first = StartConsumer(config);
    CHECK(*first->FetchConsumeOffset(queue, true) == -1);
    REQUIRE(first->UpdateConsumeOffset(queue, 3).ok());
    first->Shutdown();
  }
  // The same member (client id) again: reads its file.
  auto again = StartConsumer(config);
  CHECK(*again->FetchConsumeOffset(queue, true) == 3);
  // The group at the broker knows nothing of it.
  auto clustering = StartConsumer(cluster->NewPullConsumerConfig("OffsetBroadcast2"));
  CHECK(*clustering->FetchConsumeOffset(queue, true) != 3);
}

}  // namespace
}  // namespace rmq::pull_test
