// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PullConsumer's lite mode (RocketMQ's DefaultLitePullConsumer): subscribe,
// rebalance among the group's members, background pulls into a buffer, Poll,
// Seek, auto commit and CommitSync, broadcasting.

#include <algorithm>
#include <iterator>

#include <catch2/catch.hpp>

#include "unit/client/pull_consumer_test_helpers.h"

namespace rmq::pull_test {
namespace {

std::unique_ptr<PullConsumer> StartLite(PullConsumerConfig config, const std::string& topic,
                                        const std::string& expression = "*") {
  auto consumer = std::make_unique<PullConsumer>(std::move(config));
  REQUIRE(consumer->Subscribe(topic, expression).ok());
  absl::Status started = consumer->Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  return consumer;
}

std::set<MessageQueue> AssignmentOf(PullConsumer& consumer) {
  auto assigned = consumer.Assignment();
  INFO(assigned.status().ToString());
  REQUIRE(assigned.ok());
  return std::set<MessageQueue>(assigned->begin(), assigned->end());
}

std::vector<MessageQueue> AllQueues(testing::FakeCluster& cluster, const std::string& topic,
                                    int32_t per_broker) {
  std::vector<MessageQueue> queues;
  for (int b = 0; b < cluster.broker_count(); ++b) {
    for (int32_t q = 0; q < per_broker; ++q) queues.emplace_back(topic, cluster.broker_name(b), q);
  }
  return queues;
}

// Polls `consumer` until `n` messages arrived (kGuard as a failure guard).
std::vector<MessageExt> PollN(PullConsumer& consumer, size_t n) {
  std::vector<MessageExt> all;
  const absl::Time deadline = absl::Now() + kGuard;
  while (all.size() < n && absl::Now() < deadline) {
    auto msgs = consumer.Poll(absl::Milliseconds(50));
    INFO(msgs.status().ToString());
    REQUIRE(msgs.ok());
    std::move(msgs->begin(), msgs->end(), std::back_inserter(all));
  }
  return all;
}

TEST_CASE("two lite members split the queues; every message is polled exactly once") {
  auto cluster = NewCluster(2, "LiteTopic", 4);
  auto producer = StartProducer(*cluster);
  auto config_a = cluster->NewPullConsumerConfig("LiteSplit");
  auto config_b = cluster->NewPullConsumerConfig("LiteSplit");
  auto a = StartLite(config_a, "LiteTopic");
  auto b = StartLite(config_b, "LiteTopic");
  cluster->Advance(absl::Seconds(21));  // Past the rebalance interval: both see both.

  const std::vector<MessageQueue> all = AllQueues(*cluster, "LiteTopic", 4);
  std::set<MessageQueue> qa = AssignmentOf(*a);
  std::set<MessageQueue> qb = AssignmentOf(*b);
  CHECK(qa.size() == 4);
  CHECK(qb.size() == 4);
  std::set<MessageQueue> both;
  std::set_intersection(qa.begin(), qa.end(), qb.begin(), qb.end(), std::inserter(both, both.end()));
  CHECK(both.empty());
  std::set<MessageQueue> either = qa;
  either.insert(qb.begin(), qb.end());
  CHECK(either == std::set<MessageQueue>(all.begin(), all.end()));

  constexpr int kMessages = 48;
  for (int i = 0; i < kMessages; ++i) {
    SendTo(*cluster, *producer, all[static_cast<size_t>(i) % all.size()], "T", "m" + std::to_string(i));
  }
  Delivered got = PollUntil({a.get(), b.get()}, kMessages);
  CHECK(got.total == kMessages);
  for (int i = 0; i < kMessages; ++i) {
    const std::string body = "m" + std::to_string(i);
    INFO(body);
    CHECK(got.count[body] == 1);
    const MessageQueue& queue = all[static_cast<size_t>(i) % all.size()];
    CHECK(got.member[body] == (qa.contains(queue) ? 0u : 1u));  // Its queue's owner.
  }
  CHECK(a->Poll(absl::Milliseconds(20))->empty());
  CHECK(b->Poll(absl::Milliseconds(20))->empty());
}

TEST_CASE("a member leaving hands its queues to the others at once") {
  auto cluster = NewCluster(1, "LiteTopic", 4);
  auto producer = StartProducer(*cluster);
  auto a = StartLite(cluster->NewPullConsumerConfig("LiteLeave"), "LiteTopic");
  auto b = StartLite(cluster->NewPullConsumerConfig("LiteLeave"), "LiteTopic");
  cluster->Advance(absl::Seconds(21));
  REQUIRE(AssignmentOf(*a).size() == 2);

  const std::vector<MessageQueue> all = AllQueues(*cluster, "LiteTopic", 4);
  for (int i = 0; i < 8; ++i) SendTo(*cluster, *producer, all[static_cast<size_t>(i) % 4], "T", "x" + std::to_string(i));
  Delivered first = PollUntil({a.get(), b.get()}, 8);
  REQUIRE(first.total == 8);
  b->Shutdown();  // Commits what b polled (auto_commit).
  // NOTIFY_CONSUMER_IDS_CHANGED: no need to wait for the 20 s rebalance.
  cluster->Advance(absl::Milliseconds(1));
  CHECK(AssignmentOf(*a).size() == 4);

  for (int i = 0; i < 8; ++i) SendTo(*cluster, *producer, all[static_cast<size_t>(i) % 4], "T", "y" + std::to_string(i));
  Delivered second = PollUntil({a.get()}, 8);
  CHECK(second.total == 8);  // b's committed progress: nothing of the first round again.
  for (const auto& [body, n] : second.count) {
    INFO(body);
    CHECK(body[0] == 'y');
    CHECK(n == 1);
  }
}

TEST_CASE("broadcasting lite consumers each get every message") {
  auto cluster = NewCluster(2, "LiteTopic", 2);
  auto producer = StartProducer(*cluster);
  auto config_a = cluster->NewPullConsumerConfig("LiteBroadcast");
  config_a.message_model = MessageModel::kBroadcasting;
  auto config_b = cluster->NewPullConsumerConfig("LiteBroadcast");
  config_b.message_model = MessageModel::kBroadcasting;
  auto a = StartLite(config_a, "LiteTopic");
  auto b = StartLite(config_b, "LiteTopic");
  CHECK(AssignmentOf(*a).size() == 4);
  CHECK(AssignmentOf(*b).size() == 4);

  const std::vector<MessageQueue> all = AllQueues(*cluster, "LiteTopic", 2);
  for (int i = 0; i < 12; ++i) SendTo(*cluster, *producer, all[static_cast<size_t>(i) % 4], "T", "b" + std::to_string(i));
  for (PullConsumer* c : {a.get(), b.get()}) {
    Delivered got = PollUntil({c}, 12);
    CHECK(got.total == 12);
    CHECK(got.count.size() == 12);
  }
}

TEST_CASE("Poll returns one pull's messages at a time and filters by tag") {
  auto cluster = NewCluster(1, "LiteTopic", 1);
  auto producer = StartProducer(*cluster);
  const MessageQueue queue("LiteTopic", cluster->broker_name(0), 0);
  for (int i = 0; i < 10; ++i) SendTo(*cluster, *producer, queue, i % 2 == 0 ? "Even" : "Odd", std::to_string(i));
  auto config = cluster->NewPullConsumerConfig("LiteBatch");
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  config.pull_batch_size = 3;
  auto consumer = StartLite(config, "LiteTopic", "Even");

  std::vector<std::string> bodies;
  const absl::Time deadline = absl::Now() + kGuard;
  while (bodies.size() < 5 && absl::Now() < deadline) {
    auto msgs = consumer->Poll(absl::Milliseconds(50));
    REQUIRE(msgs.ok());
    CHECK(msgs->size() <= 3);
    for (const auto& m : *msgs) {
      CHECK(m.tags() == "Even");
      bodies.push_back(m.body());
    }
  }
  CHECK(bodies == std::vector<std::string>{"0", "2", "4", "6", "8"});
}

TEST_CASE("Subscribe after Start takes the member's queues at once") {
  auto cluster = NewCluster(1, "LiteTopic", 2);
  auto producer = StartProducer(*cluster);
  auto consumer = StartConsumer(cluster->NewPullConsumerConfig("LiteLate"));
  CHECK(AssignmentOf(*consumer).empty());
  REQUIRE(consumer->Subscribe("LiteTopic", "*").ok());
  CHECK(AssignmentOf(*consumer).size() == 2);
  SendTo(*cluster, *producer, MessageQueue("LiteTopic", cluster->broker_name(0), 1), "T", "late");
  auto got = PollN(*consumer, 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].body() == "late");
}

TEST_CASE("flow control stops a queue's pulls at the threshold; Poll resumes them") {
  auto cluster = NewCluster(1, "LiteTopic", 1);
  auto producer = StartProducer(*cluster);
  const MessageQueue queue("LiteTopic", cluster->broker_name(0), 0);
  for (int i = 0; i < 30; ++i) SendTo(*cluster, *producer, queue, "T", std::to_string(i));
  auto config = cluster->NewPullConsumerConfig("LiteFlow");
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  config.pull_batch_size = 2;
  config.pull_threshold_for_queue = 3;
  auto consumer = StartLite(config, "LiteTopic");
  auto got = PollN(*consumer, 30);
  REQUIRE(got.size() == 30);
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i].queue_offset == static_cast<int64_t>(i));
}

TEST_CASE("Seek drops what is buffered and restarts the queue at the offset") {
  auto cluster = NewCluster(1, "SeekTopic", 1);
  auto producer = StartProducer(*cluster);
  const MessageQueue queue("SeekTopic", cluster->broker_name(0), 0);
  for (int i = 0; i < 6; ++i) SendTo(*cluster, *producer, queue, "T", "s" + std::to_string(i));
  auto config = cluster->NewPullConsumerConfig("LiteSeek");
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  config.pull_batch_size = 2;
  auto consumer = StartLite(config, "SeekTopic");

  auto first = PollN(*consumer, 2);
  REQUIRE(Bodies(first) == std::vector<std::string>{"s0", "s1"});
  // The loop has pulled on meanwhile; Seek forgets that.
  REQUIRE(consumer->Seek(queue, 1).ok());
  auto again = PollN(*consumer, 5);
  CHECK(Bodies(again) == std::vector<std::string>{"s1", "s2", "s3", "s4", "s5"});

  // To the end: nothing until a new message arrives (the held pull wakes).
  REQUIRE(consumer->Seek(queue, 6).ok());
  CHECK(consumer->Poll(absl::Milliseconds(20))->empty());
  SendTo(*cluster, *producer, queue, "T", "s6");
  CHECK(Bodies(PollN(*consumer, 1)) == std::vector<std::string>{"s6"});

  absl::Status beyond = consumer->Seek(queue, 100);
  CHECK(absl::IsInvalidArgument(beyond));
  CHECK(std::string(beyond.message()).find("100") != std::string::npos);
  const MessageQueue foreign("SeekTopic", cluster->broker_name(0), 3);
  absl::Status unassigned = consumer->Seek(foreign, 0);
  CHECK(absl::IsInvalidArgument(unassigned));
  CHECK(std::string(unassigned.message()).find(foreign.ToString()) != std::string::npos);
}

TEST_CASE("CommitSync writes the polled offsets now; a new member continues from them") {
  auto cluster = NewCluster(1, "CommitTopic", 2);
  auto producer = StartProducer(*cluster);
  const std::vector<MessageQueue> all = AllQueues(*cluster, "CommitTopic", 2);
  for (int i = 0; i < 20; ++i) SendTo(*cluster, *producer, all[static_cast<size_t>(i) % 2], "T", "c" + std::to_string(i));
  auto config = cluster->NewPullConsumerConfig("LiteCommit");
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  config.auto_commit = false;
  config.pull_batch_size = 3;

  std::map<MessageQueue, int64_t> committed;
  std::set<std::string> before_commit;
  {
    auto first = StartLite(config, "CommitTopic");
    for (const MessageExt& m : PollN(*first, 8)) {
      MessageQueue q("CommitTopic", cluster->broker_name(0), m.queue_id);
      committed[q] = std::max(committed[q], m.queue_offset + 1);
      before_commit.insert(m.body());
    }
    REQUIRE(first->CommitSync().ok());
    for (const auto& [q, offset] : committed) {
      INFO(q.ToString());
      CHECK(*first->FetchConsumeOffset(q, /*from_store=*/true) == offset);
    }
    PollN(*first, 2);  // Polled but never committed: the next member gets them again.
    first->Shutdown();
  }
  auto second = StartLite(cluster->NewPullConsumerConfig("LiteCommit"), "CommitTopic");
  size_t remaining = 20 - before_commit.size();
  Delivered got = PollUntil({second.get()}, remaining);
  CHECK(got.total == remaining);
  for (const auto& [body, n] : got.count) {
    INFO(body);
    CHECK(n == 1);
    CHECK_FALSE(before_commit.contains(body));
  }
}

TEST_CASE("auto commit: what earlier polls returned reaches the broker on the persist timer") {
  auto cluster = NewCluster(1, "AutoTopic", 1);
  auto producer = StartProducer(*cluster);
  const MessageQueue queue("AutoTopic", cluster->broker_name(0), 0);
  for (int i = 0; i < 5; ++i) SendTo(*cluster, *producer, queue, "T", "a");
  auto config = cluster->NewPullConsumerConfig("LiteAuto");
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  auto consumer = StartLite(config, "AutoTopic");
  REQUIRE(PollN(*consumer, 5).size() == 5);
  CHECK(consumer->Poll(absl::Milliseconds(1))->empty());  // Commits the previous polls.
  cluster->Advance(absl::Seconds(5));
  CHECK(*consumer->FetchConsumeOffset(queue, /*from_store=*/true) == 5);
}

}  // namespace
}  // namespace rmq::pull_test
