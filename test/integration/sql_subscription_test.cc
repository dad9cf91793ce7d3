// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// SQL92 subscriptions end to end (MessageSelector::BySql), on a FakeCluster
// and an EmbeddedCluster in process and over TCP: a push consumer (the
// broker filters with the heartbeat's subscription) and a lite pull consumer
// (the expression travels with every pull) get exactly the messages of a
// mixed stream whose properties match, as do direct pulls with a SQL92
// selector; a broker without enablePropertyFilter makes the push consumer's
// Start fail with its reason and refuses a direct SQL92 pull.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "test/integration/consumer_helpers.h"

namespace rmq::testing {
namespace {

constexpr std::string_view kExpression = "a BETWEEN 3 AND 5 AND TAGS <> 'Skip'";

// One message of the stream: tag, body and property `a` ("" = none).
struct Item {
  std::string tags;
  std::string body;
  std::string a;
};

// 40 messages: a = i % 8 (none for every 7th), tag Skip for every 5th; and
// last "end" with a = 4, which matches. Returns the matching bodies in order.
std::vector<std::string> SendMixed(ClusterUnderTest& cluster, Producer& producer,
                                   const MessageQueue& queue) {
  std::vector<std::string> expected;
  std::vector<Item> items;
  for (int i = 0; i < 40; ++i) {
    Item item{i % 5 == 0 ? "Skip" : "Keep", "m" + std::to_string(i),
              i % 7 == 0 ? "" : std::to_string(i % 8)};
    items.push_back(item);
  }
  items.push_back({"Keep", "end", "4"});
  for (const Item& item : items) {
    Message msg(queue.topic, item.tags, item.body);
    if (!item.a.empty()) msg.PutProperty("a", item.a);
    SendTo(cluster, producer, queue, msg);
    const int a = item.a.empty() ? -1 : std::stoi(item.a);
    if (a >= 3 && a <= 5 && item.tags != "Skip") expected.push_back(item.body);
  }
  return expected;
}

TEST_CASE("a push consumer subscribed by SQL92 receives exactly the matching messages") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind, 1, true, /*enable_property_filter=*/true);
    CreateTopic(*cluster, "SqlPush", 1);
    auto producer = StartProducer(*cluster, "P");
    const MessageQueue queue = QueuesOf(*cluster, "SqlPush", 1).front();
    // Half the stream before the consumer starts, half while it runs.
    Inbox inbox;
    auto consumer = std::make_unique<PushConsumer>(
        OneThread(StartingAt(cluster->NewPushConsumerConfig("SqlPushers"),
                             ConsumeFromWhere::kFirstOffset)));
    REQUIRE(consumer->Subscribe("SqlPush", MessageSelector::BySql(kExpression)).ok());
    consumer->RegisterMessageListener(inbox.Listener());
    absl::Status started = consumer->Start();
    INFO(started.ToString());
    REQUIRE(started.ok());
    const std::vector<std::string> expected = SendMixed(*cluster, *producer, queue);
    REQUIRE(expected.size() > 5);
    REQUIRE(WaitWithoutTimers([&] { return Contains(inbox.bodies(), "end"); }));
    CHECK(inbox.bodies() == expected);
    for (const MessageExt& m : inbox.messages()) {
      CHECK(m.tags() == "Keep");
      const std::string a(m.GetProperty("a"));
      CHECK((a == "3" || a == "4" || a == "5"));
    }
  }
}

TEST_CASE("a lite pull consumer subscribed by SQL92 polls exactly the matching messages") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind, 1, true, /*enable_property_filter=*/true);
    CreateTopic(*cluster, "SqlLite", 1);
    auto producer = StartProducer(*cluster, "P");
    const MessageQueue queue = QueuesOf(*cluster, "SqlLite", 1).front();
    const std::vector<std::string> expected = SendMixed(*cluster, *producer, queue);

    PullConsumerConfig config = cluster->NewPullConsumerConfig("SqlLiters");
    config.consume_from_where = ConsumeFromWhere::kFirstOffset;
    PullConsumer consumer(config);
    REQUIRE(consumer.Subscribe("SqlLite", MessageSelector::BySql(kExpression)).ok());
    absl::Status started = consumer.Start();
    INFO(started.ToString());
    REQUIRE(started.ok());
    std::vector<std::string> polled;
    WaitUntil(*cluster, [&] {
      auto msgs = consumer.Poll(absl::Milliseconds(20));
      INFO(msgs.status().ToString());
      REQUIRE(msgs.ok());
      for (const MessageExt& m : *msgs) polled.push_back(m.body());
      return Contains(polled, "end");
    });
    CHECK(polled == expected);
    consumer.Shutdown();
  }
}

TEST_CASE("direct pulls with a SQL92 selector read exactly the matching messages") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind, 1, true, /*enable_property_filter=*/true);
    CreateTopic(*cluster, "SqlDirect", 1);
    auto producer = StartProducer(*cluster, "P");
    const MessageQueue queue = QueuesOf(*cluster, "SqlDirect", 1).front();
    const std::vector<std::string> expected = SendMixed(*cluster, *producer, queue);

    PullConsumer consumer(cluster->NewPullConsumerConfig("SqlDirectPullers"));
    REQUIRE(consumer.Start().ok());
    const MessageSelector selector = MessageSelector::BySql(kExpression);
    std::vector<std::string> pulled;
    int64_t offset = 0;
    WaitUntil(*cluster, [&] {
      auto result = consumer.Pull(queue, selector, offset, 8);
      INFO(result.status().ToString());
      REQUIRE(result.ok());
      for (const MessageExt& m : result->msgs) pulled.push_back(m.body());
      offset = result->next_begin_offset;
      return Contains(pulled, "end");
    });
    CHECK(pulled == expected);

    auto bad = consumer.Pull(queue, MessageSelector::BySql("a >"), 0, 8);
    CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(bad.status().message()), Catch::Contains("SqlDirect"));
    consumer.Shutdown();
  }
}

TEST_CASE("a SQL92 push consumer does not start on a broker without enablePropertyFilter") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);  // enablePropertyFilter=false, RocketMQ's default
    CreateTopic(*cluster, "SqlOff", 1);
    PushConsumer consumer(cluster->NewPushConsumerConfig("SqlRefused"));
    REQUIRE(consumer.Subscribe("SqlOff", MessageSelector::BySql("a > 1")).ok());
    consumer.RegisterMessageListener(
        [](std::span<const MessageExt>, ConsumeConcurrentlyContext&) {
          return ConsumeConcurrentlyStatus::kConsumeSuccess;
        });
    absl::Status started = consumer.Start();
    CHECK(started.code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(started.message()),
               Catch::Contains("does not support consumer to filter message by SQL92") &&
                   Catch::Contains("SqlOff"));
    // By tag it starts.
    PushConsumer by_tag(cluster->NewPushConsumerConfig("SqlRefusedTags"));
    REQUIRE(by_tag.Subscribe("SqlOff", "*").ok());
    by_tag.RegisterMessageListener([](std::span<const MessageExt>, ConsumeConcurrentlyContext&) {
      return ConsumeConcurrentlyStatus::kConsumeSuccess;
    });
    CHECK(by_tag.Start().ok());

    // A direct SQL92 pull is refused with the broker's reason.
    PullConsumer puller(cluster->NewPullConsumerConfig("SqlRefusedPuller"));
    REQUIRE(puller.Start().ok());
    const MessageQueue queue = QueuesOf(*cluster, "SqlOff", 1).front();
    auto pulled = puller.Pull(queue, MessageSelector::BySql("a > 1"), 0, 8);
    INFO(pulled.status().ToString());
    CHECK_FALSE(pulled.ok());
    CHECK_THAT(std::string(pulled.status().message()),
               Catch::Contains("does not support consumer to filter message by SQL92"));
    puller.Shutdown();
  }
}

}  // namespace
}  // namespace rmq::testing
